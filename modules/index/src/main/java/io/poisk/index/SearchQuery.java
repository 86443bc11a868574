package io.poisk.index;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchMode;

/**
 * A search over one collection. {@code vector} (the embedded query) is needed for dense and hybrid,
 * {@code text} for lexical and hybrid; {@code filter} may be null (everything passes), {@code fusion}
 * null (RRF, k = 60). Hybrid fetches {@code max(2k, 50)} candidates per list before fusing.
 */
public record SearchQuery(SearchMode mode, float[] vector, String text, int k, Filter filter, Fusion fusion) {
    public SearchQuery {
        mode = mode == null ? SearchMode.HYBRID : mode;
        fusion = fusion == null ? Fusion.defaults() : fusion;
        if (k < 1) throw new PoiskException(ErrorCode.INVALID_QUERY, "'k' must be positive, got " + k);
        if (mode != SearchMode.LEXICAL && vector == null) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, mode.wireName() + " search needs a query vector");
        }
        if (mode != SearchMode.DENSE && (text == null || text.isBlank())) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, mode.wireName() + " search needs a non-empty query text");
        }
    }

    public static SearchQuery dense(float[] vector, int k, Filter filter) {
        return new SearchQuery(SearchMode.DENSE, vector, null, k, filter, null);
    }

    public static SearchQuery lexical(String text, int k, Filter filter) {
        return new SearchQuery(SearchMode.LEXICAL, null, text, k, filter, null);
    }

    public static SearchQuery hybrid(float[] vector, String text, int k, Filter filter, Fusion fusion) {
        return new SearchQuery(SearchMode.HYBRID, vector, text, k, filter, fusion);
    }

    /** Candidates each list contributes: k for one mode, more for fusion. */
    int depth() {
        return mode == SearchMode.HYBRID ? Math.max(2 * k, 50) : k;
    }
}
