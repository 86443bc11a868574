package io.poisk.server;

import io.poisk.core.SearchRequest;

/** A decoded search body: the core request plus the server's optional rerank step (null when none). */
record SearchQuery(SearchRequest request, RerankRequest rerank) {
    static SearchQuery of(SearchRequest request) {
        return new SearchQuery(request, null);
    }
}
