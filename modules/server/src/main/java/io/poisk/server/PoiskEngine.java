package io.poisk.server;

import io.poisk.core.CollectionInfo;
import io.poisk.core.CollectionName;
import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.Hit;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchRequest;
import io.poisk.core.SearchResponse;
import io.poisk.core.SearchService;
import io.poisk.index.CollectionCatalog;
import io.poisk.index.CollectionIndex;
import io.poisk.index.CollectionOptions;
import io.poisk.index.EmbeddedDocument;
import io.poisk.index.IndexOptions;
import io.poisk.models.BatcherStats;
import io.poisk.models.EmbeddingBatcher;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.ModelCard;
import io.poisk.models.ModelRegistry;
import io.poisk.models.RerankExecutor;
import io.poisk.models.RerankResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The query and ingest pipeline behind every front end. Embedding runs on one
 * {@link EmbeddingBatcher} per model and reranking on one {@link RerankExecutor} per reranker (both
 * created on first use), index reads and writes on a bounded executor; callers only ever get futures,
 * so an event loop that calls in never blocks.
 */
public final class PoiskEngine implements SearchService {
    private static final Logger LOG = LoggerFactory.getLogger(PoiskEngine.class);
    /** Documents embedded and written per step of an ingest; bounded so one request cannot fill the inference queue. */
    private static final int INGEST_SLICE = 256;
    private static final int DISK_QUEUE_PER_WORKER = 256;

    private final PoiskConfig config;
    private final ModelRegistry models;
    private final CollectionCatalog catalog;
    private final BoundedExecutor disk;
    /** Loads models off the callers' threads: creating an embedder reads weights and takes seconds. */
    private final BoundedExecutor modelLoader;
    private final ConcurrentMap<String, CompletableFuture<EmbeddingBatcher>> batchers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, CompletableFuture<RerankExecutor>> rerankers = new ConcurrentHashMap<>();
    private final Object createLock = new Object();
    private final int ingestSlice;
    private final LiveSearchStats liveStats = new LiveSearchStats();
    private final QueryEmbeddingCache queryVectors;
    private volatile boolean closed;

    private PoiskEngine(PoiskConfig config, ModelRegistry models, CollectionCatalog catalog) {
        this.config = config;
        this.models = models;
        this.catalog = catalog;
        int workers = Math.max(1, config.integer("index.workers"));
        this.disk = new BoundedExecutor("poisk-index", workers, workers * DISK_QUEUE_PER_WORKER);
        this.modelLoader = new BoundedExecutor("poisk-model-loader", 1, 64);
        this.ingestSlice = Math.max(1, Math.min(INGEST_SLICE, config.integer("embedding.queue_capacity")));
        this.queryVectors = new QueryEmbeddingCache(config.longValue("embedding.query_cache_size"));
    }

    /** Opens the model registry over {@code models_dir} and the collections under {@code data_dir}. */
    public static PoiskEngine open(PoiskConfig config) {
        ModelRegistry models = new ModelRegistry(config.path("models_dir"));
        try {
            CollectionCatalog catalog = CollectionCatalog.open(config.path("data_dir"), IndexOptions.from(config));
            LOG.info("engine open: data_dir={} models_dir={} collections={}", config.path("data_dir").toAbsolutePath(),
                    config.path("models_dir").toAbsolutePath(), catalog.list().size());
            return new PoiskEngine(config, models, catalog);
        } catch (IOException e) {
            models.close();
            throw new UncheckedIOException("cannot open the collections in " + config.path("data_dir").toAbsolutePath(), e);
        } catch (RuntimeException e) {
            models.close();
            throw e;
        }
    }

    /** The model cards this engine can embed with. */
    public List<ModelCard> modelCards() {
        return models.cards();
    }

    @Override
    public CompletableFuture<Boolean> createCollection(String name, String model) {
        return createCollection(name, model, CollectionOptions.defaults());
    }

    /**
     * Creates a collection with index options (text language, typed fields for filters); completes with
     * {@code false} when an identical one existed, fails COLLECTION_EXISTS (409) when a different one does.
     */
    public CompletableFuture<Boolean> createCollection(String name, String model, CollectionOptions options) {
        try {
            CollectionName.validate(name);
            String modelId = model == null || model.isBlank() ? config.string("default_model") : model;
            ModelCard card = embedderCard(modelId);
            if (options.rerank() != null) defaultRerankerCard(options.rerank().model());
            CollectionSchema schema = new CollectionSchema(name, card.id(), card.dimension(), CollectionSchema.COSINE);
            return disk.submit(() -> {
                synchronized (createLock) {
                    Optional<CollectionIndex> existing = catalog.get(name);
                    if (existing.isPresent()) {
                        CollectionSchema old = existing.get().schema();
                        CollectionOptions oldOptions = existing.get().options();
                        if (old.equals(schema) && oldOptions.equals(options)) return false;
                        throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "collection '" + name
                                + "' already exists with model '" + old.model() + "' (dimension " + old.dimension()
                                + ") and options " + oldOptions.toMap() + "; delete it first to re-create it with model '"
                                + schema.model() + "' and options " + options.toMap());
                    }
                    catalog.create(schema, options);
                    LOG.info("created collection {} (model {}, dimension {}, options {})", name, schema.model(), schema.dimension(),
                            options.toMap());
                    return true;
                }
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The card of an embedder; a reranker's card or an unknown id is a 400 that names the embedders. */
    private ModelCard embedderCard(String id) {
        List<String> embedders = models.embedderCards().stream().map(ModelCard::id).toList();
        ModelCard card = knownCard(id, "model", embedders);
        if (!card.isEmbedder()) {
            throw new PoiskException(ErrorCode.UNKNOWN_MODEL, "model '" + id + "' is a " + card.kind()
                    + " (a reranker) and cannot embed documents; a collection needs an embedder: " + names(embedders)
                    + "; use a reranker per search with \"rerank\":{\"model\":\"" + id + "\"}");
        }
        return card;
    }

    /** The card of a reranker; an embedder's card or an unknown id is a 400 that names the rerankers. */
    private ModelCard rerankerCard(String id) {
        List<String> rerankers = models.rerankerCards().stream().map(ModelCard::id).toList();
        ModelCard card = knownCard(id, "reranker", rerankers);
        if (card.isEmbedder()) {
            throw new PoiskException(ErrorCode.UNKNOWN_MODEL, "'rerank.model': model '" + id
                    + "' is an embedder, not a reranker; rerankers: " + names(rerankers));
        }
        return card;
    }

    /** A collection's default reranker must be a reranker card, as a request's; the message says which property is wrong. */
    private void defaultRerankerCard(String id) {
        try {
            rerankerCard(id);
        } catch (PoiskException e) {
            String message = e.getMessage().startsWith("'rerank.model'") ? e.getMessage() : "'rerank.model': " + e.getMessage();
            throw new PoiskException(e.code(), message);
        }
    }

    private ModelCard knownCard(String id, String what, List<String> available) {
        try {
            return models.card(id);
        } catch (PoiskException e) {
            if (e.getMessage().contains("bad card")) throw e;
            throw new PoiskException(ErrorCode.UNKNOWN_MODEL, "unknown " + what + " '" + id + "' in " + models.modelsDir()
                    + "; available " + what + "s: " + names(available));
        }
    }

    private static String names(List<String> ids) {
        return ids.isEmpty() ? "none" : String.join(", ", ids);
    }

    @Override
    public CompletableFuture<List<CollectionInfo>> listCollections() {
        return disk.submit(() -> catalog.list().stream().map(PoiskEngine::info).toList());
    }

    @Override
    public CompletableFuture<CollectionInfo> describeCollection(String name) {
        return disk.submit(() -> info(collection(name)));
    }

    /** The collection's schema, statistics and index options. */
    public CompletableFuture<CollectionDescription> describe(String name) {
        return disk.submit(() -> description(collection(name)));
    }

    /** Every collection with its index options, by name. */
    public CompletableFuture<List<CollectionDescription>> describeAll() {
        return disk.submit(() -> catalog.list().stream().map(PoiskEngine::description).toList());
    }

    private static CollectionDescription description(CollectionIndex index) {
        return new CollectionDescription(info(index), index.options());
    }

    private static CollectionInfo info(CollectionIndex index) {
        return new CollectionInfo(index.schema(), index.documentCount(), index.segmentCount(), index.liveSegmentDocuments());
    }

    /**
     * What an operator needs after a bad log: why the collection takes no writes (null when it does) and the
     * log records its replay could not apply, kept in its quarantine file.
     */
    public CompletableFuture<Map<String, Object>> quarantine(String name) {
        return disk.submit(() -> {
            CollectionIndex index = collection(name);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("collection", name);
            out.put("read_only", index.readOnlyReason().orElse(null));
            out.put("quarantined", index.quarantined().stream()
                    .map(q -> Map.<String, Object>of("lsn", q.lsn(), "id", q.id(), "reason", q.reason())).toList());
            return out;
        });
    }

    @Override
    public CompletableFuture<Boolean> deleteCollection(String name) {
        return disk.submit(() -> {
            CollectionName.validate(name);
            synchronized (createLock) {
                boolean dropped = catalog.drop(name);
                if (dropped) LOG.info("deleted collection {}", name);
                return dropped;
            }
        });
    }

    @Override
    public CompletableFuture<Integer> index(String collection, List<Document> documents) {
        if (documents.isEmpty()) return disk.submit(() -> {
            collection(collection);
            return 0;
        });
        List<List<Document>> slices = new ArrayList<>();
        for (int i = 0; i < documents.size(); i += ingestSlice) {
            slices.add(documents.subList(i, Math.min(documents.size(), i + ingestSlice)));
        }
        return disk.submit(() -> collection(collection))
                .thenCompose(index -> batcher(index.schema().model())
                        .thenCompose(batcher -> ingestSlices(index, batcher, slices, 0, CompletableFuture.completedFuture(null))))
                .thenApply(v -> documents.size());
    }

    /**
     * Embeds slice {@code i} while the previous slice is still being written, then chains its write
     * after the previous one, so writes stay in request order and inference never waits on disk.
     */
    private CompletableFuture<Void> ingestSlices(CollectionIndex index, EmbeddingBatcher batcher, List<List<Document>> slices,
                                                 int i, CompletableFuture<Void> previousWrite) {
        List<Document> slice = slices.get(i);
        return embed(batcher, slice.stream().map(Document::text).toList(), EmbeddingRole.PASSAGE, null)
                .thenCompose(vectors -> {
                    List<EmbeddedDocument> embedded = new ArrayList<>(slice.size());
                    for (int j = 0; j < slice.size(); j++) embedded.add(new EmbeddedDocument(slice.get(j), vectors[j]));
                    CompletableFuture<Void> write = previousWrite.thenCompose(v -> disk.submit(() -> {
                        index.upsert(embedded);
                        return null;
                    }));
                    return i + 1 < slices.size() ? ingestSlices(index, batcher, slices, i + 1, write) : write;
                });
    }

    @Override
    public CompletableFuture<Optional<Document>> getDocument(String collection, String id) {
        return disk.submit(() -> collection(collection).get(id));
    }

    @Override
    public CompletableFuture<Boolean> deleteDocument(String collection, String id) {
        return disk.submit(() -> collection(collection).delete(id));
    }

    @Override
    public CompletableFuture<SearchResponse> search(String collection, SearchRequest request) {
        return search(collection, SearchQuery.of(request)).thenApply(SearchResult::toResponse);
    }

    /**
     * Checks the filter against the collection's fields, embeds the query unless the mode is lexical,
     * retrieves the first stage (dense, lexical or hybrid; top_n hits when reranking, else k), and with a
     * rerank step scores the top_n texts with (query, instruction) and returns the best k by reranker score.
     */
    CompletableFuture<SearchResult> search(String collection, SearchQuery query) {
        long started = System.nanoTime();
        Plan plan;
        try {
            plan = plan(query, collection(collection));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        SearchRequest request = query.request();
        return disk.submit(() -> QueryRetrieval.target(collection(collection), request))
                .thenCompose(target -> queryVector(target.index(), request)
                        .thenCompose(vector -> disk.submit(() -> QueryRetrieval.search(target, query, vector, plan.depth()))))
                .thenCompose(hits -> plan.rerank() == null
                        ? CompletableFuture.completedFuture(SearchResult.firstStage(hits, millisSince(started)))
                        : reranker(plan.rerank().model())
                        .thenCompose(executor -> rerank(executor, request, plan, hits, started)));
    }

    /** What a validated query will do: retrieve {@code depth} first-stage hits, then rerank them or not. */
    private record Plan(int depth, RerankRequest rerank, int k) {
    }

    /**
     * Resolves the query's rerank choice against the collection's default reranker: absent takes the
     * default, false none, an object with a model is that reranker alone (as on a collection without a
     * default), an object with only top_n the default's model with that top_n. A default's top_n is raised
     * to k when k is larger; a request's own top_n is already checked to be at least k.
     */
    private Plan plan(SearchQuery query, CollectionIndex index) {
        int k = query.request().k();
        CollectionOptions.DefaultRerank byDefault = index.options().rerank();
        RerankRequest rerank = switch (query.rerank()) {
            case RerankChoice.Off off -> null;
            case RerankChoice.CollectionDefault d -> byDefault == null ? null : new RerankRequest(byDefault.model(), defaultTopN(byDefault, k));
            case RerankChoice.Given given -> given(given.request(), byDefault, index.schema().name(), k);
        };
        if (rerank == null) return new Plan(k, null, k);
        boolean modelGiven = query.rerank() instanceof RerankChoice.Given given && given.request().model() != null;
        if (!modelGiven) {
            defaultOf(index.schema().name(), () -> rerankerCard(rerank.model()));
        } else {
            rerankerCard(rerank.model());
        }
        int topN = rerank.topN(k, config.integer("rerank.default_top_n"));
        return new Plan(Math.max(k, topN), new RerankRequest(rerank.model(), topN), k);
    }

    /** A request's rerank object; without a model, the collection default's model (and top_n unless the request gives one). */
    private RerankRequest given(RerankRequest request, CollectionOptions.DefaultRerank byDefault, String collection, int k) {
        if (request.model() != null) return request;
        if (byDefault == null) {
            List<String> rerankers = models.rerankerCards().stream().map(ModelCard::id).toList();
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'rerank.model' is missing and collection '" + collection
                    + "' has no default reranker; name one: " + names(rerankers));
        }
        return new RerankRequest(byDefault.model(), request.topN() != null ? request.topN() : defaultTopN(byDefault, k));
    }

    private static Integer defaultTopN(CollectionOptions.DefaultRerank byDefault, int k) {
        return byDefault.topN() == null ? null : Math.max(byDefault.topN(), k);
    }

    /** Checks a collection's default reranker; a card removed since the collection was created is a 400 that says how to search anyway. */
    private static void defaultOf(String collection, Runnable check) {
        try {
            check.run();
        } catch (PoiskException e) {
            throw new PoiskException(e.code(), "the default reranker of collection '" + collection + "' is not available: "
                    + e.getMessage() + "; send \"rerank\":false to search without it or name another reranker");
        }
    }

    /** Scores the first {@code top_n} hits and reorders them; hits the budget left unscored follow in first-stage order. */
    private CompletableFuture<SearchResult> rerank(RerankExecutor executor, SearchRequest request, Plan plan, List<Hit> hits,
                                                   long started) {
        List<Hit> candidates = candidates(hits, plan);
        long rerankStarted = System.nanoTime();
        return submitRerank(executor, request, candidates)
                .thenApply(result -> reordered(candidates, result, plan, started, rerankStarted));
    }

    private static List<Hit> candidates(List<Hit> hits, Plan plan) {
        return hits.subList(0, Math.min(hits.size(), plan.rerank().topN()));
    }

    /** The executor's own future, so cancelling it stops the rerank before its next batch. */
    private CompletableFuture<RerankResult> submitRerank(RerankExecutor executor, SearchRequest request, List<Hit> candidates) {
        return executor.rerank(request.query(), request.instruction(), candidates.stream().map(Hit::text).toList(),
                Duration.ofMillis(config.longValue("rerank.budget_ms")));
    }

    private static SearchResult reordered(List<Hit> candidates, RerankResult result, Plan plan, long started, long rerankStarted) {
        int[] order = result.order();
        int keep = Math.min(plan.k(), order.length);
        List<RankedHit> page = new ArrayList<>(keep);
        for (int i = 0; i < keep; i++) {
            int at = order[i];
            Hit h = candidates.get(at);
            boolean scored = result.scored()[at];
            page.add(new RankedHit(scored ? new Hit(h.id(), result.scores()[at], h.text(), h.fields()) : h, h.score(), scored));
        }
        RerankSummary summary = new RerankSummary(plan.rerank().model(), candidates.size(), result.scoredCount(),
                result.complete(), millisSince(rerankStarted));
        return new SearchResult(page, millisSince(started), summary);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    /** The embedded query, or null without any inference when the mode is lexical. */
    private CompletableFuture<float[]> queryVector(CollectionIndex index, SearchRequest request) {
        if (!QueryRetrieval.needsEmbedding(request)) return CompletableFuture.completedFuture(null);
        return batcher(index.schema().model()).thenCompose(b -> cachedQueryVector(b, request));
    }

    /**
     * The query's vector from the query-embedding cache, inferred on a miss. The future is the caller's
     * own: cancelling it cancels the inference only when no other caller waits on the same one.
     */
    private CompletableFuture<float[]> cachedQueryVector(EmbeddingBatcher batcher, SearchRequest request) {
        QueryEmbeddingCache.Key key = new QueryEmbeddingCache.Key(batcher.card().id(), EmbeddingRole.QUERY,
                request.instruction(), request.query());
        return queryVectors.vector(key, () -> {
            CompletableFuture<float[][]> inference = embed(batcher, List.of(request.query()), EmbeddingRole.QUERY,
                    request.instruction());
            CompletableFuture<float[]> vector = inference.thenApply(vectors -> vectors[0]);
            // cancelling the vector must reach the batcher's own future, which drops the text from its queue
            vector.whenComplete((v, e) -> {
                if (vector.isCancelled()) inference.cancel(false);
            });
            return vector;
        });
    }

    /** The query-embedding cache's counters for GET /stats: enabled, hits, misses, size, evictions. */
    public Map<String, Object> queryCacheStats() {
        return queryVectors.stats();
    }

    /** For tests and diagnostics: what the query and passage embedding of {@code model} has done (null before its first use). */
    BatcherStats embeddingStats(String model) {
        CompletableFuture<EmbeddingBatcher> f = batchers.get(model);
        EmbeddingBatcher b = f == null ? null : f.getNow(null);
        return b == null ? null : b.stats();
    }

    /** Counters of the live searches started by {@link #searchLive}. */
    public LiveSearchStats liveStats() {
        return liveStats;
    }

    /**
     * A search that can be cancelled while it runs (WebSocket / SSE live search). The stages are
     * those of {@link #search(String, SearchQuery)}; cancelling drops the query text from the inference
     * queue if it has not reached a batch, skips the index search if it has not started, and stops a
     * rerank before its next batch (a queued rerank scores nothing). With a rerank step the first-stage
     * page (cut to k) is published as the query's candidates before reranking starts.
     */
    public LiveQuery searchLive(String collection, SearchQuery query) {
        long started = System.nanoTime();
        LiveQuery live = new LiveQuery(liveStats);
        Plan plan;
        try {
            plan = plan(query, collection(collection));
        } catch (RuntimeException e) {
            live.finish(null, e);
            return live;
        }
        SearchRequest request = query.request();
        CompletableFuture<Void> lookupEnded = new CompletableFuture<>();
        CompletableFuture<Void> searchEnded = new CompletableFuture<>();
        live.step(LiveQuery.Stage.LOOKUP, lookupEnded,
                        () -> disk.submit(() -> QueryRetrieval.target(collection(collection), request), lookupEnded))
                .thenCompose(target -> liveQueryVector(live, target.index(), request)
                        .thenCompose(vector -> live.step(LiveQuery.Stage.INDEX_SEARCH, searchEnded, () -> disk.submit(() -> {
                            liveStats.indexSearchRun();
                            return QueryRetrieval.search(target, query, vector, plan.depth());
                        }, searchEnded))))
                .thenCompose(hits -> {
                    if (plan.rerank() == null) return CompletableFuture.completedFuture(SearchResult.firstStage(hits, millisSince(started)));
                    live.publishCandidates(SearchResult.firstStage(hits.subList(0, Math.min(plan.k(), hits.size())), millisSince(started)));
                    return live.step(LiveQuery.Stage.RERANK, () -> reranker(plan.rerank().model()).thenApply(e -> e))
                            .thenCompose(executor -> {
                                List<Hit> candidates = candidates(hits, plan);
                                long rerankStarted = System.nanoTime();
                                return live.step(LiveQuery.Stage.RERANK, () -> submitRerank(executor, request, candidates))
                                        .thenApply(result -> reordered(candidates, result, plan, started, rerankStarted));
                            });
                })
                .whenComplete((SearchResult result, Throwable e) -> live.finish(e == null ? result : null, e));
        return live;
    }

    /** The live query's embedding stages, skipped (no model load, no inference) in lexical mode. */
    private CompletableFuture<float[]> liveQueryVector(LiveQuery query, CollectionIndex index, SearchRequest request) {
        if (!QueryRetrieval.needsEmbedding(request)) return CompletableFuture.completedFuture(null);
        // a dependent future: cancelling it must not cancel the shared model load
        return query.step(LiveQuery.Stage.LOOKUP, () -> batcher(index.schema().model()).thenApply(b -> b))
                .thenCompose(b -> query.step(LiveQuery.Stage.EMBEDDING, () -> cachedQueryVector(b, request)));
    }

    private CollectionIndex collection(String name) {
        if (closed) throw new PoiskException(ErrorCode.UNAVAILABLE, "the engine is shutting down");
        CollectionName.validate(name);
        return catalog.get(name).orElseThrow(() -> PoiskException.collectionNotFound(name));
    }

    private static CompletableFuture<float[][]> embed(EmbeddingBatcher batcher, List<String> texts, EmbeddingRole role,
                                                      String instruction) {
        try {
            return batcher.submit(texts, role, instruction);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The batcher of a model, created once on the loader thread; a failed load is forgotten so a later call retries. */
    private CompletableFuture<EmbeddingBatcher> batcher(String modelId) {
        CompletableFuture<EmbeddingBatcher> f = batchers.computeIfAbsent(modelId, id -> modelLoader.submit(() -> {
            long t0 = System.nanoTime();
            EmbeddingBatcher b = new EmbeddingBatcher(models.embedder(id), config.integer("embedding.max_batch"),
                    config.longValue("embedding.max_wait_ms"), config.integer("embedding.queue_capacity"),
                    config.integer("embedding.workers"));
            LOG.info("model {} ready in {} ms", id, (System.nanoTime() - t0) / 1_000_000);
            return b;
        }));
        f.whenComplete((b, e) -> {
            if (e != null) batchers.remove(modelId, f);
        });
        return f;
    }

    /** The rerank executor of a reranker, created once on the loader thread; a failed load is forgotten so a later call retries. */
    private CompletableFuture<RerankExecutor> reranker(String modelId) {
        CompletableFuture<RerankExecutor> f = rerankers.computeIfAbsent(modelId, id -> modelLoader.submit(() -> {
            long t0 = System.nanoTime();
            int maxBatch = config.integer("rerank.max_batch");
            // rerank.queue_capacity counts documents; the executor queues whole requests of about default_top_n documents.
            int queuedRequests = Math.max(1, config.integer("rerank.queue_capacity") / Math.max(1, config.integer("rerank.default_top_n")));
            RerankExecutor executor = new RerankExecutor(models.reranker(id), maxBatch, config.integer("rerank.workers"), queuedRequests);
            LOG.info("reranker {} ready in {} ms", id, millisSince(t0));
            return executor;
        }));
        f.whenComplete((r, e) -> {
            if (e != null) rerankers.remove(modelId, f);
        });
        return f;
    }

    /** Loads the model of every existing collection now, so the first request after a restart is not slow. */
    public CompletableFuture<Void> warmUp() {
        return listCollections().thenCompose(infos -> CompletableFuture.allOf(infos.stream()
                .map(i -> i.schema().model()).distinct().map(this::batcher).toArray(CompletableFuture[]::new)));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        modelLoader.close();
        for (CompletableFuture<EmbeddingBatcher> f : batchers.values()) {
            EmbeddingBatcher b = f.getNow(null);
            if (b != null) closeQuietly(b);
        }
        batchers.clear();
        for (CompletableFuture<RerankExecutor> f : rerankers.values()) {
            RerankExecutor r = f.getNow(null);
            if (r != null) closeQuietly(r);
        }
        rerankers.clear();
        disk.close();
        catalog.close();
        models.close();
        LOG.info("engine closed");
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed", c, e);
        }
    }
}
