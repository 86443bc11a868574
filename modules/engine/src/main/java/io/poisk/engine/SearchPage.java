package io.poisk.engine;

import io.poisk.core.Hit;

import java.util.List;

/** One page of a search: its hits, best first (at most k), the engine's time, and the rerank summary (null without reranking). */
public record SearchPage(List<RankedHit> hits, long tookMs, RerankSummary rerank) {
    public static SearchPage firstStage(List<Hit> hits, long tookMs) {
        return new SearchPage(hits.stream().map(RankedHit::firstStage).toList(), tookMs, null);
    }

    /** The hits alone, with the scores the page is ordered by. */
    public List<Hit> plainHits() {
        return hits.stream().map(RankedHit::hit).toList();
    }
}
