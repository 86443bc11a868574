package io.poisk.engine;

import io.poisk.core.Document;
import io.poisk.core.PoiskConfig;
import io.poisk.index.CollectionCatalog;
import io.poisk.index.CollectionOptions;
import io.poisk.index.IndexOptions;
import io.poisk.index.StorageLimits;
import io.poisk.models.BatcherStats;
import io.poisk.models.EmbeddingBatcher;
import io.poisk.models.ModelCard;
import io.poisk.models.ModelRegistry;
import io.poisk.models.RerankExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Engine}: wires one part per job and owns their threads. Index reads and writes run on the
 * bounded disk executor ({@code index.workers} threads), model loading on one loader thread, embedding on
 * one {@link EmbeddingBatcher} per model and reranking on one {@link RerankExecutor} per reranker (both
 * from a {@link ModelPool}); callers only ever get futures, so an event loop that calls in never blocks.
 */
public final class PoiskEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(PoiskEngine.class);
    private static final int DISK_QUEUE_PER_WORKER = 256;

    private final ModelRegistry models;
    private final ModelCards cards;
    private final BoundedExecutor disk;
    /** Loads models off the callers' threads: creating an embedder reads weights and takes seconds. */
    private final BoundedExecutor modelLoader;
    private final ModelPool<EmbeddingBatcher> embedders;
    private final ModelPool<RerankExecutor> rerankers;
    private final CollectionService collections;
    private final IngestPipeline ingest;
    private final SearchPipeline searches;
    private final QueryEmbeddingCache queryVectors;
    private final SnapshotService snapshots;
    private final LiveSearchStats liveStats = new LiveSearchStats();
    private volatile boolean closed;

    private PoiskEngine(PoiskConfig config, ModelRegistry models, CollectionCatalog catalog) {
        this.models = models;
        this.cards = new ModelCards(models);
        int workers = Math.max(1, config.integer("index.workers"));
        this.disk = new BoundedExecutor("poisk-index", workers, workers * DISK_QUEUE_PER_WORKER);
        this.modelLoader = new BoundedExecutor("poisk-model-loader", 1, 64);
        this.embedders = new ModelPool<>("model", modelLoader, id -> new EmbeddingBatcher(models.embedder(id),
                config.integer("embedding.max_batch"), config.longValue("embedding.max_wait_ms"),
                config.integer("embedding.queue_capacity"), config.integer("embedding.workers")));
        // rerank.queue_capacity counts documents; the executor queues whole requests of about default_top_n documents.
        int queuedRerankRequests = Math.max(1, config.integer("rerank.queue_capacity") / Math.max(1, config.integer("rerank.default_top_n")));
        this.rerankers = new ModelPool<>("reranker", modelLoader, id -> new RerankExecutor(models.reranker(id),
                config.integer("rerank.max_batch"), config.integer("rerank.workers"), queuedRerankRequests));
        this.collections = new CollectionService(catalog, cards, disk, config.string("default_model"));
        this.snapshots = new SnapshotService(config.path("data_dir"), collections, catalog, config.longValue("limits.max_restore_bytes"));
        this.ingest = new IngestPipeline(collections, embedders, disk, config.integer("embedding.queue_capacity"));
        this.queryVectors = new QueryEmbeddingCache(config.longValue("embedding.query_cache_size"));
        this.searches = new SearchPipeline(collections, new QueryPlanner(cards, config.integer("rerank.default_top_n")),
                embedders, rerankers, queryVectors, disk, Duration.ofMillis(config.longValue("rerank.budget_ms")));
    }

    /** Opens the model registry over {@code models_dir} and the collections under {@code data_dir}. */
    public static PoiskEngine open(PoiskConfig config) {
        ModelRegistry models = new ModelRegistry(config.path("models_dir"));
        try {
            CollectionCatalog catalog = CollectionCatalog.open(config.path("data_dir"), IndexOptions.from(config),
                    StorageLimits.from(config));
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

    @Override
    public List<ModelCard> modelCards() {
        return cards.all();
    }

    @Override
    public CompletableFuture<Boolean> createCollection(String name, String model, CollectionOptions options) {
        return collections.create(name, model, options);
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
                new QuarantineReport(name, index.readOnlyReason().orElse(null), index.quarantined())));
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

    @Override
    public CompletableFuture<Optional<Document>> getDocument(String collection, String id) {
        return disk.submit(() -> collections.use(collection, index -> index.get(id)));
    }

    @Override
    public CompletableFuture<Boolean> deleteDocument(String collection, String id) {
        return disk.submit(() -> collections.use(collection, index -> index.delete(id)));
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
        return Map.of("live_search", liveStats.snapshot(), "query_embedding_cache", queryVectors.stats());
    }

    @Override
    public BatcherStats embeddingStats(String model) {
        EmbeddingBatcher b = embedders.loadedOrNull(model);
        return b == null ? null : b.stats();
    }

    @Override
    public CompletableFuture<Void> warmUp() {
        return listCollections().thenCompose(all -> CompletableFuture.allOf(all.stream()
                .filter(d -> d.unavailable() == null).map(d -> d.info().schema().model()).distinct().map(embedders::get).toArray(CompletableFuture[]::new)));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        collections.stop();
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
