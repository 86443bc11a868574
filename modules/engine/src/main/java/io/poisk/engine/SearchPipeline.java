package io.poisk.engine;

import io.poisk.core.Hit;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.RerankResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The one search pipeline, run by plain and live search alike: plan (collection, filter, fusion, rerank
 * resolved once, on the disk executor) → embed the query unless lexical (query-embedding cache, then the
 * model's batcher) → retrieve the first stage to the plan's depth (disk executor) → with a rerank step,
 * publish the first-stage page and rerank the top_n, cutting to k. Every stage starts through a
 * {@link StageGate}: a live query's gate can cancel, plain search's never does.
 */
final class SearchPipeline {
    private final CollectionService collections;
    private final QueryPlanner planner;
    private final ModelPool<EmbeddingRuntime> embedders;
    private final ModelPool<RerankRuntime> rerankers;
    private final QueryEmbeddingCache queryVectors;
    private final BoundedExecutor disk;
    private final Duration rerankBudget;
    private final EngineMeters meters;

    SearchPipeline(CollectionService collections, QueryPlanner planner, ModelPool<EmbeddingRuntime> embedders,
                   ModelPool<RerankRuntime> rerankers, QueryEmbeddingCache queryVectors, BoundedExecutor disk, Duration rerankBudget,
                   EngineMeters meters) {
        this.meters = meters;
        this.collections = collections;
        this.planner = planner;
        this.embedders = embedders;
        this.rerankers = rerankers;
        this.queryVectors = queryVectors;
        this.disk = disk;
        this.rerankBudget = rerankBudget;
    }

    CompletableFuture<SearchPage> run(String collection, SearchRequest request, StageGate gate) {
        long started = System.nanoTime();
        CompletableFuture<Void> lookupEnded = new CompletableFuture<>();
        CompletableFuture<Void> searchEnded = new CompletableFuture<>();
        CompletableFuture<SearchPage> page = gate.step(LiveQuery.Stage.LOOKUP, lookupEnded,
                        () -> disk.submit(() -> planner.plan(request, collections.get(collection), gate.asYouType()), lookupEnded))
                .thenCompose(plan -> queryVector(gate, plan)
                        .thenCompose(vector -> gate.step(LiveQuery.Stage.INDEX_SEARCH, searchEnded, () -> disk.submit(() -> {
                            gate.indexSearchRun();
                            long retrieving = System.nanoTime();
                            List<Hit> hits = collections.guarded(plan.index(), index -> QueryRetrieval.retrieve(plan, vector, meters::segmentSearch));
                            meters.indexSearch(request, retrieving);
                            return hits;
                        }, searchEnded)))
                        .thenCompose(hits -> plan.rerank() == null
                                ? CompletableFuture.completedFuture(SearchPage.firstStage(page(hits, plan), millisSince(started)))
                                : rerank(gate, plan, hits, started))
                        .thenCompose(p -> shaped(p, plan))
                        .thenApply(p -> plan.request().mode() == request.mode() ? p : p.ranAs(plan.request().mode())));
        // the caller sees the page only after it is counted, so metrics read after a search include it
        return page.whenComplete((p, e) -> meters.search(request, started, e));
    }

    /** The page's window of a ranked list: ranks offset+1..offset+k, or fewer where the list ends. */
    private static <T> List<T> page(List<T> ranked, SearchPlan plan) {
        int from = Math.min(plan.request().offset(), ranked.size());
        return ranked.subList(from, Math.min(plan.request().end(), ranked.size()));
    }

    /**
     * The page as the request shaped it: text and fields dropped or kept, snippets added. Snippets re-analyse
     * each hit's text (up to a megabyte), so they are made on the disk executor, never on the caller's thread.
     */
    private CompletableFuture<SearchPage> shaped(SearchPage page, SearchPlan plan) {
        ResultShape shape = plan.request().shape();
        if (shape.full()) return CompletableFuture.completedFuture(page);
        SearchRequest request = plan.request();
        return disk.submit(() -> {
            List<RankedHit> hits = new ArrayList<>(page.hits().size());
            for (RankedHit ranked : page.hits()) {
                Hit h = ranked.hit();
                String snippet = shape.snippetChars() == 0 || request.query() == null ? null
                        : plan.index().snippet(request.query(), h.text(), plan.prefixLastTerm(), shape.snippetChars());
                Map<String, Object> fields = shape.fields() == null ? h.fields() : selected(h.fields(), shape.fields());
                Hit shapedHit = new Hit(h.id(), h.score(), shape.returnText() ? h.text() : null, fields, h.passage());
                hits.add(new RankedHit(shapedHit, ranked.firstStageScore(), ranked.reranked(), snippet));
            }
            return new SearchPage(hits, page.tookMs(), page.rerank(), page.ranAs());
        });
    }

    private static Map<String, Object> selected(Map<String, Object> fields, java.util.Set<String> names) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : fields.entrySet()) if (names.contains(e.getKey())) out.put(e.getKey(), e.getValue());
        return out;
    }

    /**
     * The query's vector: null without any inference (no model load either) when the mode is lexical, the request's
     * own when it brings one (checked by the planner), else the embedded query text.
     */
    private CompletableFuture<float[]> queryVector(StageGate gate, SearchPlan plan) {
        SearchRequest request = plan.request();
        if (!request.needsEmbedding()) return CompletableFuture.completedFuture(null);
        if (request.vector() != null) return CompletableFuture.completedFuture(request.vector());
        return gate.step(LiveQuery.Stage.LOOKUP, () -> embedders.get(plan.index().schema().model()))
                .thenCompose(batcher -> gate.step(LiveQuery.Stage.EMBEDDING, () -> cachedQueryVector(batcher, request)));
    }

    /**
     * The query's vector from the query-embedding cache, inferred on a miss. The future is the caller's
     * own: cancelling it cancels the inference only when no other caller waits on the same one.
     */
    private CompletableFuture<float[]> cachedQueryVector(EmbeddingRuntime batcher, SearchRequest request) {
        QueryEmbeddingCache.Key key = new QueryEmbeddingCache.Key(batcher.card().id(), EmbeddingRole.QUERY,
                request.instruction(), request.query());
        return queryVectors.vector(key, () -> {
            CompletableFuture<float[][]> inference = IngestPipeline.embed(batcher, List.of(request.query()), EmbeddingRole.QUERY,
                    request.instruction());
            CompletableFuture<float[]> vector = inference.thenApply(vectors -> vectors[0]);
            // cancelling the vector must reach the batcher's own future, which drops the text from its queue
            vector.whenComplete((v, e) -> {
                if (vector.isCancelled()) inference.cancel(false);
            });
            return vector;
        });
    }

    /**
     * Publishes the first-stage page, then scores the first top_n hits and reorders them; hits the budget
     * left unscored follow in first-stage order. The executor's own future is the stage, so cancelling
     * stops the rerank before its next batch.
     */
    private CompletableFuture<SearchPage> rerank(StageGate gate, SearchPlan plan, List<Hit> hits, long started) {
        // the candidates page is shaped like the final one (a live page shows snippets at once) before the rerank starts
        return shaped(SearchPage.firstStage(page(hits, plan), millisSince(started)), plan)
                .thenCompose(candidatesPage -> {
                    gate.publishCandidates(candidatesPage);
                    return rerankFirstStage(gate, plan, hits, started);
                });
    }

    private CompletableFuture<SearchPage> rerankFirstStage(StageGate gate, SearchPlan plan, List<Hit> hits, long started) {
        List<Hit> candidates = hits.subList(0, Math.min(hits.size(), plan.rerank().topN()));
        SearchRequest request = plan.request();
        return gate.step(LiveQuery.Stage.RERANK, () -> rerankers.get(plan.rerank().model()))
                .thenCompose(executor -> {
                    long rerankStarted = System.nanoTime();
                    return gate.step(LiveQuery.Stage.RERANK, () -> executor.rerank(request.query(), request.instruction(),
                                    candidates.stream().map(Hit::text).toList(), rerankBudget))
                            .thenApply(result -> reordered(candidates, result, plan, started, rerankStarted));
                });
    }

    private static SearchPage reordered(List<Hit> candidates, RerankResult result, SearchPlan plan, long started, long rerankStarted) {
        return reordered(candidates, result, plan.request().offset(), plan.request().end(), plan.rerank().model(), started, rerankStarted);
    }

    /** Ranks offset+1..end of {@code candidates} in the reranker's order, with the rerank summary. */
    static SearchPage reordered(List<Hit> candidates, RerankResult result, int offset, int end, String model, long started,
                                long rerankStarted) {
        int[] order = result.order();
        int from = Math.min(offset, order.length);
        int to = Math.min(end, order.length);
        List<RankedHit> page = new ArrayList<>(Math.max(0, to - from));
        for (int i = from; i < to; i++) {
            int at = order[i];
            Hit h = candidates.get(at);
            boolean scored = result.scored()[at];
            page.add(new RankedHit(scored ? new Hit(h.id(), result.scores()[at], h.text(), h.fields(), h.passage()) : h, h.score(), scored));
        }
        RerankSummary summary = new RerankSummary(model, candidates.size(), result.scoredCount(),
                result.complete(), millisSince(rerankStarted));
        return new SearchPage(page, millisSince(started), summary);
    }

    static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
