package io.poisk.server;

import io.poisk.core.SearchRequest;
import io.poisk.index.Fusion;

/**
 * A decoded search body: the core request plus what only the server knows about: the optional
 * rerank step ({@code null}: none) and the hybrid fusion ({@code null}: the engine's default,
 * {@link QueryRetrieval#DEFAULT_FUSION}).
 */
record SearchQuery(SearchRequest request, RerankRequest rerank, Fusion fusion) {
    static SearchQuery of(SearchRequest request) {
        return new SearchQuery(request, null, null);
    }
}
