package io.poisk.engine;

import io.poisk.index.CollectionIndex;
import io.poisk.index.Filter;
import io.poisk.index.Fusion;

/**
 * A search with everything resolved once, before any inference: the collection, the filter parsed against
 * its declared fields (null: none), the fusion (the default when the request names none), the first-stage
 * {@code depth} (offset + k, or top_n when reranking), the rerank step (null: none), and whether the
 * query's unfinished last word also matches as a prefix (live search).
 */
record SearchPlan(SearchRequest request, CollectionIndex index, Filter filter, Fusion fusion, int depth, RerankRequest rerank,
                  boolean prefixLastTerm) {
    /** The page size. */
    int k() {
        return request.k();
    }
}
