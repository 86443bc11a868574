package io.poisk.engine;

import io.poisk.core.Document;
import io.poisk.core.DocumentPatch;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.index.FieldType;
import io.poisk.index.Filter;
import io.poisk.core.PoiskConfig;
import io.poisk.index.CollectionCatalog;
import io.poisk.index.CollectionOptions;
import io.poisk.index.IndexOptions;
import io.poisk.index.StorageLimits;
import io.poisk.models.BatcherStats;
import io.poisk.models.ModelCard;
import io.poisk.models.ModelRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The {@link Engine}: wires one part per job and owns their threads. Index reads and writes run on the
 * bounded disk executor ({@code index.workers} threads), model loading on one loader thread, embedding on
 * one {@link EmbeddingRuntime} per model and reranking on one {@link RerankRuntime} per reranker (both
 * from a {@link ModelPool}, opened by the {@link Inference}: in this process, or on remote workers);
 * callers only ever get futures, so an event loop that calls in never blocks.
 */
public final class PoiskEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(PoiskEngine.class);
    private static final int DISK_QUEUE_PER_WORKER = 256;
    /** Deletes by filter are logged and applied this many ids at a time, so memory stays bounded whatever matches. */
    static final int DELETE_CHUNK = 1000;

    private final ModelRegistry models;
    private final ModelCards cards;
    private final BoundedExecutor disk;
    /** Loads models off the callers' threads: creating an embedder reads weights and takes seconds. */
    private final BoundedExecutor modelLoader;
    private final ModelPool<EmbeddingRuntime> embedders;
    private final ModelPool<RerankRuntime> rerankers;
    private final CollectionService collections;
    private final IngestPipeline ingest;
    private final SearchPipeline searches;
    private final DocumentExport export;
    private final QueryEmbeddingCache queryVectors;
    private final SnapshotService snapshots;
    private final LiveSearchStats liveStats = new LiveSearchStats();
    private final DeadlineStats deadlineStats = new DeadlineStats();
    /** Fires search deadlines; a timer is dropped from its queue as soon as its search ends in time. */
    private final ScheduledThreadPoolExecutor deadlines = deadlineScheduler();
    private volatile boolean closed;

    private final EngineMeters meters;
    private final String defaultModel;
    private final java.nio.file.Path dataDir;

    private final Inference inference;
    private final Duration rerankBudget;
    private final QueryPlanner planner;
    private final int maxDocumentBytes;

    private PoiskEngine(PoiskConfig config, ModelRegistry models, CollectionCatalog catalog, AliasTable aliases, MeterRegistry registry,
                        Inference inference) {
        this.inference = inference;
        this.models = models;
        this.defaultModel = config.string("default_model");
        this.dataDir = config.path("data_dir");
        this.meters = new EngineMeters(registry, () -> catalog.unavailable().size());
        this.cards = new ModelCards(models);
        int workers = Math.max(1, config.integer("index.workers"));
        this.disk = new BoundedExecutor("poisk-index", workers, workers * DISK_QUEUE_PER_WORKER);
        this.modelLoader = new BoundedExecutor("poisk-model-loader", 1, 64);
        this.embedders = new ModelPool<>("model", modelLoader, id -> inference.embedding(models, id));
        this.rerankers = new ModelPool<>("reranker", modelLoader, id -> inference.rerank(models, id));
        this.collections = new CollectionService(catalog, cards, disk, config.string("default_model"), aliases, meters::collections);
        this.export = new DocumentExport(collections, disk);
        this.ingest = new IngestPipeline(collections, embedders, disk, config.integer("embedding.queue_capacity"), meters);
        this.snapshots = new SnapshotService(config.path("data_dir"), collections, catalog, config.longValue("limits.max_restore_bytes"));
        this.queryVectors = new QueryEmbeddingCache(config.longValue("embedding.query_cache_size"));
        queryVectors.bindTo(registry);
        this.rerankBudget = Duration.ofMillis(config.longValue("rerank.budget_ms"));
        this.maxDocumentBytes = IndexOptions.from(config).maxDocumentBytes();
        this.planner = new QueryPlanner(cards, config.integer("rerank.default_top_n"));
        this.searches = new SearchPipeline(collections, planner,
                embedders, rerankers, queryVectors, disk, rerankBudget, meters);
    }

    /** {@link #open(PoiskConfig, MeterRegistry)} with meters kept in memory only (tools and tests). */
    public static PoiskEngine open(PoiskConfig config) {
        return open(config, new SimpleMeterRegistry());
    }

    /**
     * Opens the model registry over {@code models_dir} and the collections under {@code data_dir}; the engine's
     * and the models' meters go to {@code registry} (the server passes its Prometheus one).
     */
    public static PoiskEngine open(PoiskConfig config, MeterRegistry registry) {
        return open(config, registry, new LocalInference(config, registry));
    }

    /** As {@link #open(PoiskConfig, MeterRegistry)}, with inference run by {@code inference} (remote workers in cluster mode). */
    public static PoiskEngine open(PoiskConfig config, MeterRegistry registry, Inference inference) {
        ModelRegistry models = LocalInference.models(config);
        try {
            CollectionCatalog catalog = CollectionCatalog.open(config.path("data_dir"), IndexOptions.from(config),
                    StorageLimits.from(config));
            LOG.info("engine open: data_dir={} models_dir={} collections={}", config.path("data_dir").toAbsolutePath(),
                    config.path("models_dir").toAbsolutePath(), catalog.list().size());
            return new PoiskEngine(config, models, catalog, AliasTable.open(config.path("data_dir")), registry, inference);
        } catch (IOException e) {
            models.close();
            throw new UncheckedIOException("cannot open the collections in " + config.path("data_dir").toAbsolutePath(), e);
        } catch (RuntimeException e) {
            models.close();
            throw e;
        }
    }

    @Override
    public List<ModelCard> modelCards() {
        return cards.all();
    }

    @Override
    public CompletableFuture<Boolean> createCollection(String name, String model, CollectionOptions options) {
        return collections.create(name, model, options);
    }

    @Override
    public CompletableFuture<Boolean> createCollectionWithoutModel(String name, int dimension, io.poisk.core.Similarity similarity,
                                                                   CollectionOptions options) {
        return collections.createWithoutModel(name, dimension, similarity, options);
    }

    @Override
    public CompletableFuture<Boolean> addField(String collection, String field, FieldType type) {
        return disk.submit(() -> collections.use(collection, index -> index.addField(field, type)));
    }

    @Override
    public CompletableFuture<List<CollectionDescription>> listCollections() {
        return collections.list();
    }

    @Override
    public List<String> unavailableCollections() {
        return collections.unavailable();
    }

    @Override
    public CompletableFuture<QuarantineReport> quarantine(String name) {
        return disk.submit(() -> collections.use(name, index ->
                new QuarantineReport(index.schema().name(), index.readOnlyReason().orElse(null), index.quarantined())));
    }

    @Override
    public CompletableFuture<CollectionDescription> describeCollection(String name) {
        return collections.describe(name);
    }

    @Override
    public CompletableFuture<Boolean> deleteCollection(String name) {
        return collections.delete(name);
    }

    @Override
    public CompletableFuture<Integer> index(String collection, List<Document> documents) {
        return ingest.index(collection, documents);
    }

    /**
     * The schema a new collection named {@code name} with {@code model} (null: the default) gets; UNKNOWN_MODEL when
     * no embedder card has that id. Cluster mode keeps a sharded collection's schema in its catalog.
     */
    public io.poisk.core.CollectionSchema schemaFor(String name, String model) {
        io.poisk.models.EmbedderCard card = cards.embedder(model == null || model.isBlank() ? defaultModel : model);
        return new io.poisk.core.CollectionSchema(name, card.id(), card.dimension(), io.poisk.core.CollectionSchema.COSINE);
    }

    /**
     * Embeds documents for a collection of {@code schema} and {@code options} without writing them, and checks them as
     * its index would (cluster mode: the node that takes an ingest embeds once, and replicas insert the vectors with
     * {@link #indexEmbedded}).
     */
    public CompletableFuture<List<io.poisk.index.EmbeddedDocument>> embedDocuments(io.poisk.core.CollectionSchema schema,
                                                                                   CollectionOptions options,
                                                                                   List<Document> documents) {
        // checked as the collection's index would check them: a record logged to Kafka must apply on every replica
        return ingest.embedOnly(schema, options.effectivePassages(), documents).thenCompose(embedded -> disk.submit(() -> {
            io.poisk.index.CollectionIndex.admitAll(schema, options, maxDocumentBytes, embedded);
            return embedded;
        }));
    }

    /**
     * The rerank step of {@code request} on a collection named {@code collection} with {@code options}, by the rule of
     * local searches (the request's choice against the collection's default; top_n resolved); null when not reranked.
     * Cluster mode: a sharded collection's options live in its catalog, and its coordinator reranks once.
     */
    public RerankRequest rerankFor(String collection, CollectionOptions options, SearchRequest request) {
        return planner.rerank(request, collection, options.rerank());
    }

    /** UNKNOWN_MODEL (naming the 'rerank.model' property) when {@code options} name a default reranker with no card here. */
    public void checkDefaultReranker(CollectionOptions options) {
        if (options.rerank() != null) cards.defaultReranker(options.rerank().model());
    }

    /** The query vector of {@code text} by {@code model} (cluster mode: embedded once, sent to every shard). */
    public CompletableFuture<float[]> embedQuery(String model, String text, String instruction) {
        // through the query-embedding cache, as a local search's vector: a repeated query costs no inference here either
        return embedders.get(model).thenCompose(b -> queryVectors.vector(
                new QueryEmbeddingCache.Key(b.card().id(), io.poisk.models.EmbeddingRole.QUERY, instruction, text),
                () -> IngestPipeline.embed(b, List.of(text), io.poisk.models.EmbeddingRole.QUERY, instruction).thenApply(vectors -> vectors[0])));
    }

    /**
     * Reranks merged first-stage hits once (cluster mode: the shards' hits, merged by score) with reranker {@code model},
     * as a local search's rerank step does: the first {@code candidates} in order are scored within the rerank budget,
     * and ranks offset+1..end of the reranked list are returned. UNKNOWN_MODEL / BAD_REQUEST for a model that is not
     * a reranker.
     */
    public CompletableFuture<SearchPage> rerankHits(String model, String query, String instruction, List<io.poisk.core.Hit> candidates,
                                                    int offset, int end) {
        long started = System.nanoTime();
        try {
            cards.reranker(model);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return rerankers.get(model).thenCompose(executor -> {
            long rerankStarted = System.nanoTime();
            return executor.rerank(query, instruction, candidates.stream().map(io.poisk.core.Hit::text).toList(), rerankBudget)
                    .thenApply(result -> SearchPipeline.reordered(candidates, result, offset, end, model, started, rerankStarted));
        });
    }

    /** Upserts documents with the vectors they carry, without inference; completes once durable. */
    public CompletableFuture<Integer> indexEmbedded(String collection, List<io.poisk.index.EmbeddedDocument> documents) {
        return disk.submit(() -> collections.use(collection, index -> {
            index.upsert(documents);
            return documents.size();
        }));
    }

    @Override
    public CompletableFuture<Optional<Document>> getDocument(String collection, String id) {
        return disk.submit(() -> collections.use(collection, index -> index.get(id)));
    }

    @Override
    public CompletableFuture<Boolean> deleteDocument(String collection, String id) {
        return disk.submit(() -> collections.use(collection, index -> index.delete(id)));
    }

    @Override
    public CompletableFuture<DocumentPage> documents(String collection, String cursor, int limit) {
        return export.page(collection, cursor, limit);
    }

    @Override
    public CompletableFuture<Boolean> putAlias(String alias, String collection) {
        return collections.putAlias(alias, collection);
    }

    @Override
    public CompletableFuture<String> alias(String alias) {
        return collections.alias(alias);
    }

    @Override
    public CompletableFuture<SortedMap<String, String>> aliases() {
        return collections.aliases();
    }

    @Override
    public CompletableFuture<Boolean> deleteAlias(String alias) {
        return collections.deleteAlias(alias);
    }

    @Override
    public CompletableFuture<List<String>> patchDocuments(String collection, List<DocumentPatch> patches) {
        return disk.submit(() -> collections.use(collection, index -> {
            boolean[] found = index.patch(patches);
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < found.length; i++) if (!found[i]) missing.add(patches.get(i).id());
            return missing;
        }));
    }

    @Override
    public CompletableFuture<Long> deleteByFilter(String collection, Map<String, Object> filter) {
        return disk.submit(() -> collections.use(collection, index -> {
            Filter parsed = index.parseFilter(filter);
            if (parsed == null) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "'filter' must be a non-empty filter object (the search filter"
                        + " language); to delete every document, delete the collection");
            }
            return index.deleteMatching(parsed, DELETE_CHUNK);
        }));
    }

    @Override
    public CompletableFuture<SearchPage> search(String collection, SearchRequest request) {
        return searches.run(collection, request, StageGate.NONE);
    }

    @Override
    public LiveQuery searchLive(String collection, SearchRequest request) {
        LiveQuery live = new LiveQuery(liveStats);
        searches.run(collection, request, live).whenComplete((page, e) -> live.finish(e == null ? page : null, e));
        return live;
    }

    @Override
    public CompletableFuture<SearchPage> search(String collection, SearchRequest request, Duration timeout) {
        if (timeout == null) return search(collection, request);
        DeadlineGate gate = DeadlineGate.start(StageGate.NONE, timeout, deadlines, deadlineStats);
        return gate.watch(searches.run(collection, request, gate));
    }

    @Override
    public LiveQuery searchLive(String collection, SearchRequest request, Duration timeout) {
        if (timeout == null) return searchLive(collection, request);
        LiveQuery live = new LiveQuery(liveStats);
        DeadlineGate gate = DeadlineGate.start(live, timeout, deadlines, deadlineStats);
        gate.watch(searches.run(collection, request, gate)).whenComplete((page, e) -> live.finish(e == null ? page : null, e));
        return live;
    }

    private static ScheduledThreadPoolExecutor deadlineScheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "poisk-deadlines");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    @Override
    public DeadlineStats deadlineStats() {
        return deadlineStats;
    }

    @Override
    public CompletableFuture<SnapshotInfo> createSnapshot(String collection) {
        return snapshots.create(collection);
    }

    @Override
    public CompletableFuture<List<SnapshotInfo>> snapshotAll() {
        return snapshots.createAll();
    }

    @Override
    public CompletableFuture<List<SnapshotInfo>> listSnapshots(String collection) {
        return snapshots.list(collection);
    }

    @Override
    public CompletableFuture<Boolean> deleteSnapshot(String collection, String id) {
        return snapshots.delete(collection, id);
    }

    @Override
    public CompletableFuture<java.nio.file.Path> snapshotArchive(String collection, String id) {
        return snapshots.archive(collection, id);
    }

    @Override
    public java.nio.file.Path newUploadFile() {
        return snapshots.newTransferFile(".upload");
    }

    @Override
    public long maxRestoreBytes() {
        return snapshots.maxArchiveBytes();
    }

    @Override
    public CompletableFuture<CollectionDescription> restoreArchive(String name, java.nio.file.Path archive) {
        return snapshots.restoreArchive(name, archive).thenCompose(v -> collections.describe(name));
    }

    @Override
    public CompletableFuture<CollectionDescription> restoreSnapshot(String name, String collection, String id) {
        return snapshots.restoreSnapshot(name, collection, id).thenCompose(v -> collections.describe(name));
    }

    @Override
    public LiveSearchStats liveStats() {
        return liveStats;
    }

    @Override
    public Map<String, Object> stats() {
        return Map.of("live_search", liveStats.snapshot(), "query_embedding_cache", queryVectors.stats(),
                "ingest", Map.of("skipped_inference", ingest.skippedInference()),
                "deadlines_exceeded", deadlineStats.exceededCount(), "deadlines_exceeded_in_stage", deadlineStats.byStage(),
                "inference", inference.stats());
    }

    @Override
    public MeterRegistry meterRegistry() {
        return meters.registry();
    }

    @Override
    public CompletableFuture<Readiness> readiness() {
        boolean modelLoaded = embedders.loadedOrNull(defaultModel) != null;
        List<String> unavailable = unavailableCollections();
        return inference.unavailable(defaultModel).thenCompose(inferenceProblem ->
                disk.submit(() -> new Readiness(defaultModel, modelLoaded, unavailable, DataDirProbe.problem(dataDir), inferenceProblem)));
    }

    @Override
    public BatcherStats embeddingStats(String model) {
        EmbeddingRuntime b = embedders.loadedOrNull(model);
        return b == null ? null : b.stats();
    }

    @Override
    public CompletableFuture<Void> warmUp() {
        // the default model too: /health/ready waits for it, and the first collection most likely uses it
        return listCollections().thenCompose(all -> CompletableFuture.allOf(java.util.stream.Stream.concat(java.util.stream.Stream.of(defaultModel),
                all.stream().filter(d -> d.unavailable() == null).map(d -> d.info().schema().model()).filter(java.util.Objects::nonNull))
                .distinct().map(embedders::get).toArray(CompletableFuture[]::new)));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        collections.stop();
        deadlines.shutdownNow();
        snapshots.close();
        modelLoader.close();
        embedders.close();
        rerankers.close();
        disk.close();
        collections.close();
        models.close();
        LOG.info("engine closed");
    }
}
