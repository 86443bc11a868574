package io.poisk.server;

import io.poisk.core.SearchRequest;
import io.poisk.index.Fusion;

/**
 * A decoded search body: the core request plus what only the server knows about: the rerank step
 * (the collection's default, off, or given) and the hybrid fusion ({@code null}: the engine's default,
 * {@link QueryRetrieval#DEFAULT_FUSION}).
 */
record SearchQuery(SearchRequest request, RerankChoice rerank, Fusion fusion) {
    SearchQuery {
        rerank = rerank == null ? RerankChoice.COLLECTION_DEFAULT : rerank;
    }

    /** A core request: reranked by the collection's default reranker when it has one. */
    static SearchQuery of(SearchRequest request) {
        return new SearchQuery(request, RerankChoice.COLLECTION_DEFAULT, null);
    }
}
