package io.poisk.engine;

import io.poisk.index.CollectionIndex;
import io.poisk.index.Filter;
import io.poisk.index.Fusion;

/**
 * A search with everything resolved once, before any inference: the collection, the filter parsed against
 * its declared fields (null: none), the fusion (the default when the request names none), the first-stage
 * {@code depth} (k, or top_n when reranking) and the rerank step (null: none).
 */
record SearchPlan(SearchRequest request, CollectionIndex index, Filter filter, Fusion fusion, int depth, RerankRequest rerank) {
    /** The page size. */
    int k() {
        return request.k();
    }
}
