package io.poisk.index;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchMode;

/**
 * A search over one collection. {@code vector} (the embedded query) is needed for dense and hybrid,
 * {@code text} for lexical and hybrid; {@code filter} may be null (everything passes), {@code fusion}
 * null ({@link Fusion#DEFAULT}). {@code depth} is how many candidates the search returns (the caller's
 * page, or the top_n a reranker will see); hybrid fetches {@code max(2·depth, 50)} per list before fusing.
 * {@code prefixLastTerm} (live search, as the user types): the text's last word, when the text does not end
 * in a space, also matches the indexed terms it is a prefix of.
 */
public record SearchQuery(SearchMode mode, float[] vector, String text, int depth, Filter filter, Fusion fusion,
                          boolean prefixLastTerm) {
    public SearchQuery {
        mode = mode == null ? SearchMode.HYBRID : mode;
        fusion = fusion == null ? Fusion.defaults() : fusion;
        if (depth < 1) throw new PoiskException(ErrorCode.INVALID_QUERY, "the search depth must be positive, got " + depth);
        if (mode != SearchMode.LEXICAL && vector == null) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, mode.wireName() + " search needs a query vector");
        }
        if (mode != SearchMode.DENSE && (text == null || text.isBlank())) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, mode.wireName() + " search needs a non-empty query text");
        }
    }

    public SearchQuery(SearchMode mode, float[] vector, String text, int depth, Filter filter, Fusion fusion) {
        this(mode, vector, text, depth, filter, fusion, false);
    }

    public static SearchQuery dense(float[] vector, int depth, Filter filter) {
        return new SearchQuery(SearchMode.DENSE, vector, null, depth, filter, null);
    }

    public static SearchQuery lexical(String text, int depth, Filter filter) {
        return new SearchQuery(SearchMode.LEXICAL, null, text, depth, filter, null);
    }

    public static SearchQuery hybrid(float[] vector, String text, int depth, Filter filter, Fusion fusion) {
        return new SearchQuery(SearchMode.HYBRID, vector, text, depth, filter, fusion);
    }

    /** Candidates each list contributes: the depth for one mode, more for fusion. */
    int perListDepth() {
        return mode == SearchMode.HYBRID ? Math.max(2 * depth, 50) : depth;
    }
}
