package io.poisk.engine;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchMode;
import io.poisk.index.Fusion;

import java.util.Map;

/**
 * One search as every front end and the evaluation harness hand it to the {@link Engine}.
 *
 * @param query       the query text (non-empty); null when {@code vector} is given and there is no text to match
 * @param instruction what "relevant" means for this query (null: none)
 * @param k           the page size: hits returned (1..{@value #MAX_K}); first-stage depth is the planner's, not this
 * @param mode        dense, lexical or hybrid; null takes {@link SearchDefaults#MODE}, or dense for a vector without a query text
 * @param filter      the filter on declared fields; empty when absent
 * @param fusion      hybrid fusion; null takes {@link SearchDefaults#FUSION}
 * @param rerank      the rerank step: the collection's default (also when null), off, or given
 * @param offset      hits skipped before the page: the page is ranks offset+1..offset+k; offset + k is at most {@value #MAX_K}
 * @param shape       what each hit carries (text, fields, snippet); null for everything, no snippet
 * @param vector      the query's own vector (dense and hybrid use it instead of embedding the text); null: none.
 *                    The engine checks it against the collection (dimension, finite, not zero under cosine).
 */
public record SearchRequest(String query, String instruction, int k, SearchMode mode, Map<String, Object> filter,
                            Fusion fusion, RerankChoice rerank, int offset, ResultShape shape, float[] vector) {
    /** The deepest rank a page may reach (offset + k): deeper paging costs a first stage that deep for every page. */
    public static final int MAX_K = 1000;

    public SearchRequest {
        if (query != null && query.isBlank()) throw new PoiskException(ErrorCode.INVALID_QUERY, "'query' must not be empty");
        if (query == null && vector == null) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "missing 'query' (a non-empty string) or 'vector' (an array of numbers)");
        }
        if (k < 1 || k > MAX_K) throw new PoiskException(ErrorCode.INVALID_QUERY, "'k' must be between 1 and " + MAX_K + ", got " + k);
        if (offset < 0 || offset + k > MAX_K) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'offset' must be at least 0 and offset + k at most " + MAX_K
                    + ", got offset " + offset + " with k " + k);
        }
        mode = mode == null ? (query == null ? SearchMode.DENSE : SearchDefaults.MODE) : mode;
        if (query == null && mode != SearchMode.DENSE) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "mode " + mode.wireName() + " needs a 'query' text; a 'vector' alone"
                    + " searches with mode dense");
        }
        filter = filter == null ? Map.of() : filter;
        rerank = rerank == null ? RerankChoice.COLLECTION_DEFAULT : rerank;
        shape = shape == null ? ResultShape.FULL : shape;
    }

    /** A search by its text alone (the collection's model embeds it for dense and hybrid). */
    public SearchRequest(String query, String instruction, int k, SearchMode mode, Map<String, Object> filter,
                         Fusion fusion, RerankChoice rerank, int offset, ResultShape shape) {
        this(query, instruction, k, mode, filter, fusion, rerank, offset, shape, null);
    }

    /** The first page with whole hits. */
    public SearchRequest(String query, String instruction, int k, SearchMode mode, Map<String, Object> filter,
                         Fusion fusion, RerankChoice rerank) {
        this(query, instruction, k, mode, filter, fusion, rerank, 0, ResultShape.FULL);
    }

    /** The rank just past the page: how deep the first stage (or the rerank) must reach. */
    public int end() {
        return offset + k;
    }

    /** A request with the default fusion and the collection's default rerank step. */
    public SearchRequest(String query, String instruction, int k, SearchMode mode, Map<String, Object> filter) {
        this(query, instruction, k, mode, filter, null, null);
    }

    public static SearchRequest dense(String query, int k) {
        return new SearchRequest(query, null, k, SearchMode.DENSE, Map.of());
    }

    /** Whether the query needs a vector: dense and hybrid do, lexical search runs on the text alone. */
    public boolean needsEmbedding() {
        return mode != SearchMode.LEXICAL;
    }

    /** This request as another mode (a collection without a model searches a text-only hybrid query lexically). */
    SearchRequest withMode(SearchMode other) {
        return new SearchRequest(query, instruction, k, other, filter, fusion, rerank, offset, shape, vector);
    }
}
