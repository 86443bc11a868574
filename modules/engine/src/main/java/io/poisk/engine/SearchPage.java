package io.poisk.engine;

import io.poisk.core.Hit;

import java.util.List;

/**
 * One page of a search: its hits, best first (at most k), the engine's time, the rerank summary (null without
 * reranking), and the mode the search ran in where it is not the one asked for (null otherwise): a collection
 * without a model searches a hybrid query that has no vector lexically. {@code shards}: which shards answered, on a
 * sharded collection's page (null otherwise).
 */
public record SearchPage(List<RankedHit> hits, long tookMs, RerankSummary rerank, io.poisk.core.SearchMode ranAs,
                         ShardCoverage shards) {
    public SearchPage(List<RankedHit> hits, long tookMs, RerankSummary rerank, io.poisk.core.SearchMode ranAs) {
        this(hits, tookMs, rerank, ranAs, null);
    }

    public SearchPage(List<RankedHit> hits, long tookMs, RerankSummary rerank) {
        this(hits, tookMs, rerank, null);
    }

    /** This page, noting that the search ran as {@code mode} (null: as asked). */
    SearchPage ranAs(io.poisk.core.SearchMode mode) {
        return new SearchPage(hits, tookMs, rerank, mode);
    }

    public static SearchPage firstStage(List<Hit> hits, long tookMs) {
        return new SearchPage(hits.stream().map(RankedHit::firstStage).toList(), tookMs, null);
    }

    /** The hits alone, with the scores the page is ordered by. */
    public List<Hit> plainHits() {
        return hits.stream().map(RankedHit::hit).toList();
    }
}
