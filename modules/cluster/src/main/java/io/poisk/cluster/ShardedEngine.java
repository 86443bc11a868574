package io.poisk.cluster;

import io.poisk.core.Document;
import io.poisk.core.DocumentPatch;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.core.Similarity;
import io.poisk.engine.CollectionDescription;
import io.poisk.engine.DocumentPage;
import io.poisk.engine.IndexReceipt;
import io.poisk.engine.LiveQuery;
import io.poisk.engine.PoiskEngine;
import io.poisk.engine.QuarantineReport;
import io.poisk.engine.SearchPage;
import io.poisk.engine.SearchRequest;
import io.poisk.engine.SnapshotInfo;
import io.poisk.index.CollectionOptions;
import io.poisk.index.EmbeddedDocument;
import io.poisk.index.FieldType;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The engine of a cluster node: sharded collections (the catalog's) go to the cluster, everything else to the node's
 * own engine unchanged. Writes are embedded once here and logged to the collection's topic (the HTTP reply waits for
 * Kafka's acknowledgement and carries the offsets); reads go to the shards' replicas ({@link ShardQuery}). What a
 * sharded collection does not offer fails NOT_SUPPORTED_ON_SHARDED_COLLECTION (400), naming what works.
 */
final class ShardedEngine extends ForwardingEngine {
    /** A search or read without a deadline of its own waits at most this long for the shards. */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
    private static final String WORKS = "; a sharded collection takes PUT/DELETE of the collection, POST .../documents"
            + " (JSON, NDJSON), GET and DELETE .../documents/{id} and POST .../search";

    private final PoiskEngine node;
    private final Vertx vertx;
    private final ShardCatalog catalog;
    private final ShardLog log;
    private final ShardHost host;
    private final ShardQuery query;
    private final ShardPlacement placement;
    private final ShardCoordinator coordinator;
    private final java.util.List<AutoCloseable> alsoClose = new java.util.concurrent.CopyOnWriteArrayList<>();

    ShardedEngine(PoiskEngine node, Vertx vertx, ShardCatalog catalog, ShardLog log, ShardHost host, ShardQuery query,
                  ShardPlacement placement) {
        super(node);
        this.node = node;
        this.vertx = vertx;
        this.catalog = catalog;
        this.log = log;
        this.host = host;
        this.query = query;
        this.placement = placement;
        this.coordinator = new ShardCoordinator(node, query);
    }

    @Override
    public CompletableFuture<Boolean> createShardedCollection(String name, String model, int dimension, Similarity similarity,
                                                              CollectionOptions options, int shards, int replicas) {
        return blocking(() -> {
            node.checkDefaultReranker(options);
            ShardSpec spec = model == null && similarity != null
                    ? new ShardSpec(name, null, dimension, similarity.wireName(), options, shards, replicas)
                    : fromSchema(name, model, options, shards, replicas);
            Optional<ShardSpec> existing = catalog.get(name);
            if (existing.isPresent()) {
                if (existing.get().equals(spec)) return false;
                throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "sharded collection '" + name + "' exists with another schema,"
                        + " options, shards or replicas");
            }
            if (localExists(name)) throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "collection '" + name + "' exists on this node");
            log.createCompactedTopic(spec.topic(), shards);
            catalog.put(spec);
            return true;
        });
    }

    private ShardSpec fromSchema(String name, String model, CollectionOptions options, int shards, int replicas) {
        var schema = node.schemaFor(name, model);
        return new ShardSpec(name, schema.model(), schema.dimension(), schema.similarity(), options, shards, replicas);
    }

    private boolean localExists(String name) {
        return node.describeCollection(name).handle((d, e) -> e == null).join();
    }

    @Override
    public CompletableFuture<Boolean> createCollection(String name, String model, CollectionOptions options) {
        return sharded(name).isPresent() ? exists(name) : local.createCollection(name, model, options);
    }

    @Override
    public CompletableFuture<Boolean> createCollectionWithoutModel(String name, int dimension, Similarity similarity, CollectionOptions options) {
        return sharded(name).isPresent() ? exists(name) : local.createCollectionWithoutModel(name, dimension, similarity, options);
    }

    @Override
    public CompletableFuture<List<CollectionDescription>> listCollections() {
        List<CompletableFuture<CollectionDescription>> sharded = catalog.all().values().stream()
                .sorted(java.util.Comparator.comparing(ShardSpec::name)).map(this::describe).toList();
        return local.listCollections().thenCompose(own -> CompletableFuture.allOf(sharded.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    List<CollectionDescription> all = new ArrayList<>(own);
                    sharded.forEach(d -> all.add(d.join()));
                    return all;
                }));
    }

    @Override
    public CompletableFuture<CollectionDescription> describeCollection(String name) {
        return sharded(name).map(this::describe).orElseGet(() -> local.describeCollection(name));
    }

    /**
     * The schema and options, and counts summed over the shards as their most advanced live copies last published
     * them ({@link ShardPlacement#totals}); zeros if the placement map cannot be read. Live-segment sizes are not summed.
     */
    private CompletableFuture<CollectionDescription> describe(ShardSpec s) {
        return placement.totals(s.name()).otherwise(e -> new long[] {0, 0}).toCompletionStage().toCompletableFuture()
                .thenApply(t -> new CollectionDescription(new io.poisk.core.CollectionInfo(s.schema(), t[0], (int) t[1], 0), s.options()));
    }

    @Override
    public CompletableFuture<Boolean> deleteCollection(String name) {
        Optional<ShardSpec> spec = sharded(name);
        if (spec.isEmpty()) return local.deleteCollection(name);
        return blocking(() -> {
            catalog.remove(name); // every node drops its copies when it reads the tombstone
            log.deleteTopic(spec.get().topic());
            return true;
        });
    }

    @Override
    public CompletableFuture<Integer> index(String collection, List<Document> documents) {
        return indexWithReceipt(collection, documents).thenApply(IndexReceipt::indexed);
    }

    @Override
    public CompletableFuture<IndexReceipt> indexWithReceipt(String collection, List<Document> documents) {
        Optional<ShardSpec> spec = sharded(collection);
        if (spec.isEmpty()) return local.indexWithReceipt(collection, documents);
        ShardSpec s = spec.get();
        return node.embedDocuments(s.schema(), s.options(), documents).thenCompose(embedded -> {
            List<ShardLog.Entry> entries = new ArrayList<>(embedded.size());
            for (EmbeddedDocument d : embedded) {
                String id = d.document().id();
                entries.add(new ShardLog.Entry(ShardRouter.shard(id, s.shards()), id, ShardRecordCodec.encode(d)));
            }
            return log.write(s.topic(), entries);
        }).thenApply(offsets -> new IndexReceipt(documents.size(), offsets));
    }

    @Override
    public CompletableFuture<Optional<Document>> getDocument(String collection, String id) {
        Optional<ShardSpec> spec = sharded(collection);
        if (spec.isEmpty()) return local.getDocument(collection, id);
        return query.get(spec.get(), id, deadline(null)).toCompletionStage().toCompletableFuture();
    }

    @Override
    public CompletableFuture<Boolean> deleteDocument(String collection, String id) {
        return deleteWithReceipt(collection, id).thenApply(r -> r.indexed() > 0);
    }

    /** A tombstone in the document's shard once a replica confirms the document exists (else nothing, as locally). */
    @Override
    public CompletableFuture<IndexReceipt> deleteWithReceipt(String collection, String id) {
        Optional<ShardSpec> spec = sharded(collection);
        if (spec.isEmpty()) return local.deleteWithReceipt(collection, id);
        ShardSpec s = spec.get();
        return getDocument(collection, id).thenCompose(found -> found.isEmpty() ? CompletableFuture.completedFuture(IndexReceipt.local(0))
                : log.write(s.topic(), List.of(new ShardLog.Entry(ShardRouter.shard(id, s.shards()), id, null)))
                .thenApply(offsets -> new IndexReceipt(1, offsets)));
    }

    @Override
    public CompletableFuture<SearchPage> search(String collection, SearchRequest request) {
        return search(collection, request, null, Map.of());
    }

    @Override
    public CompletableFuture<SearchPage> search(String collection, SearchRequest request, Duration timeout) {
        return search(collection, request, timeout, Map.of());
    }

    /** Embeds the query once here, asks every shard with the vector and reranks once here ({@link ShardCoordinator}). */
    @Override
    public CompletableFuture<SearchPage> search(String collection, SearchRequest request, Duration timeout, Map<Integer, Long> after) {
        Optional<ShardSpec> spec = sharded(collection);
        if (spec.isEmpty()) return local.search(collection, request, timeout, after);
        try {
            return coordinator.search(spec.get(), request, after, deadline(timeout));
        } catch (PoiskException e) {
            return failed(e);
        }
    }

    @Override
    public LiveQuery searchLive(String collection, SearchRequest request) {
        return searchLive(collection, request, null);
    }

    @Override
    public LiveQuery searchLive(String collection, SearchRequest request, Duration timeout) {
        if (sharded(collection).isEmpty()) return local.searchLive(collection, request, timeout);
        return LiveQuery.refused(local.liveStats(), notSupported(collection, "live search (WebSocket, SSE)"));
    }

    @Override
    public CompletableFuture<Boolean> addField(String collection, String field, FieldType type) {
        return sharded(collection).isPresent() ? failed(notSupported(collection, "declaring fields")) : local.addField(collection, field, type);
    }

    @Override
    public CompletableFuture<QuarantineReport> quarantine(String name) {
        return sharded(name).isPresent() ? failed(notSupported(name, "the quarantine report")) : local.quarantine(name);
    }

    @Override
    public CompletableFuture<Boolean> putAlias(String alias, String collection) {
        return sharded(collection).isPresent() ? failed(notSupported(collection, "aliases")) : local.putAlias(alias, collection);
    }

    @Override
    public CompletableFuture<DocumentPage> documents(String collection, String cursor, int limit) {
        return sharded(collection).isPresent() ? failed(notSupported(collection, "export and document listing"))
                : local.documents(collection, cursor, limit);
    }

    @Override
    public CompletableFuture<List<String>> patchDocuments(String collection, List<DocumentPatch> patches) {
        return sharded(collection).isPresent() ? failed(notSupported(collection, "PATCH (send the whole document again)"))
                : local.patchDocuments(collection, patches);
    }

    @Override
    public CompletableFuture<Long> deleteByFilter(String collection, Map<String, Object> filter) {
        return sharded(collection).isPresent() ? failed(notSupported(collection, "delete by filter (DELETE each id)"))
                : local.deleteByFilter(collection, filter);
    }

    @Override
    public CompletableFuture<SnapshotInfo> createSnapshot(String collection) {
        return sharded(collection).isPresent() ? failed(notSupported(collection, "snapshots (its Kafka topic is its durable log)"))
                : local.createSnapshot(collection);
    }

    @Override
    public CompletableFuture<java.nio.file.Path> snapshotArchive(String collection, String id) {
        return sharded(collection).isPresent() ? failed(notSupported(collection, "snapshots")) : local.snapshotArchive(collection, id);
    }

    /** Closes {@code c} before the shard service when this engine closes (what uses the Kafka log besides it). */
    void closeFirst(AutoCloseable c) {
        alsoClose.add(c);
    }

    @Override
    public void close() {
        try {
            for (AutoCloseable c : alsoClose) {
                try {
                    c.close();
                } catch (Exception e) {
                    org.slf4j.LoggerFactory.getLogger(ShardedEngine.class).warn("closing {} failed", c, e);
                }
            }
            catalog.close();
            host.close();
            log.close();
        } finally {
            local.close();
        }
    }

    private Optional<ShardSpec> sharded(String name) {
        return catalog.get(name);
    }

    private static long deadline(Duration timeout) {
        return System.nanoTime() + (timeout == null ? DEFAULT_DEADLINE : timeout).toNanos();
    }

    private static PoiskException notSupported(String collection, String what) {
        return new PoiskException(ErrorCode.NOT_SUPPORTED_ON_SHARDED_COLLECTION, "'" + collection + "' is a sharded collection, which"
                + " does not support " + what + WORKS);
    }

    private CompletableFuture<Boolean> exists(String name) {
        return failed(new PoiskException(ErrorCode.COLLECTION_EXISTS, "'" + name + "' is a sharded collection of the cluster"));
    }

    private static <T> CompletableFuture<T> failed(Throwable e) {
        return CompletableFuture.failedFuture(e);
    }

    private <T> CompletableFuture<T> blocking(java.util.concurrent.Callable<T> work) {
        return vertx.executeBlocking(work, false).toCompletionStage().toCompletableFuture();
    }
}
