package io.poisk.server;

import io.poisk.core.Hit;
import io.poisk.core.SearchResponse;

import java.util.List;

/** The hits of one search, best first, the engine's time, and the rerank summary (null without reranking). */
record SearchResult(List<RankedHit> hits, long tookMs, RerankSummary rerank) {
    static SearchResult firstStage(List<Hit> hits, long tookMs) {
        return new SearchResult(hits.stream().map(RankedHit::firstStage).toList(), tookMs, null);
    }

    /** The core shape (ordering scores only), for callers of {@link io.poisk.core.SearchService}. */
    SearchResponse toResponse() {
        return new SearchResponse(hits.stream().map(RankedHit::hit).toList(), tookMs);
    }
}
