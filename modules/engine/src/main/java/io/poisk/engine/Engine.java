package io.poisk.engine;

import io.poisk.core.Document;
import io.poisk.core.DocumentPatch;
import io.poisk.core.PoiskException;
import io.poisk.index.CollectionOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.poisk.index.FieldType;
import io.poisk.models.BatcherStats;
import io.poisk.models.ModelCard;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

/**
 * Poisk as every caller sees it: the HTTP, WebSocket, SSE and event-bus transports, the evaluation
 * harness and the command line drive the engine through this interface alone. Every method is
 * non-blocking: model inference and disk work run on the engine's own executors, and failures complete
 * the future exceptionally with a {@link PoiskException} (a full queue is OVERLOADED, 429; a closed
 * engine or executor is UNAVAILABLE, 503).
 */
public interface Engine extends AutoCloseable {

    // ---------------------------------------------------------------- collections

    /**
     * Creates a collection with index options (text language, typed fields for filters, default reranker);
     * completes with {@code true} if created, {@code false} if an identical one existed, and fails
     * COLLECTION_EXISTS (409) when a different one does. {@code model} null takes the default model.
     */
    CompletableFuture<Boolean> createCollection(String name, String model, CollectionOptions options);

    /**
     * Creates a collection without a model: every document brings its {@code vector} of {@code dimension} numbers
     * (1..{@link io.poisk.core.Similarity#MAX_DIMENSION}), compared by {@code similarity}; dense search takes a
     * {@code vector}, and a text-only query searches lexically. Completes as {@link #createCollection(String, String, CollectionOptions)}.
     */
    CompletableFuture<Boolean> createCollectionWithoutModel(String name, int dimension, io.poisk.core.Similarity similarity,
                                                            CollectionOptions options);

    /**
     * Creates a collection sharded over {@code shards} and replicated {@code replicas} times through the cluster's
     * Kafka log (cluster mode only; a single node refuses it). {@code model} null with {@code dimension} and
     * {@code similarity}: a collection without a model; else {@code dimension} and {@code similarity} are ignored.
     */
    default CompletableFuture<Boolean> createShardedCollection(String name, String model, int dimension,
                                                               io.poisk.core.Similarity similarity, CollectionOptions options,
                                                               int shards, int replicas) {
        return CompletableFuture.failedFuture(PoiskException.badRequest("'shards' and 'replicas' make a collection sharded"
                + " across a cluster: they need cluster mode (poisk serve --cluster with cluster.kafka.bootstrap set);"
                + " leave them out for a collection on this node"));
    }

    /** {@link #createCollection(String, String, CollectionOptions)} with the default options. */
    default CompletableFuture<Boolean> createCollection(String name, String model) {
        return createCollection(name, model, CollectionOptions.defaults());
    }

    /**
     * Declares a typed field (for filters) on an existing collection and indexes its stored documents for it,
     * without inference; completes with {@code true} when declared now, {@code false} when it was declared
     * with this type already, and fails FIELD_EXISTS (409) when with another, INVALID_DOCUMENT (400) when a
     * stored value does not fit the type. Rewrites the collection's segments: a graph build of the whole collection.
     */
    CompletableFuture<Boolean> addField(String collection, String field, FieldType type);

    /** Every collection with its schema, statistics and index options, by name; one that failed to open carries its reason. */
    CompletableFuture<List<CollectionDescription>> listCollections();

    /** Names of the collections that failed to open (damaged files) while the others serve. */
    List<String> unavailableCollections();

    /** One collection's schema, statistics and index options; COLLECTION_NOT_FOUND when there is none. */
    CompletableFuture<CollectionDescription> describeCollection(String name);

    /** Completes with {@code false} when there was no such collection. */
    CompletableFuture<Boolean> deleteCollection(String name);

    /** Why the collection is read-only (if it is) and the log records its replay quarantined. */
    CompletableFuture<QuarantineReport> quarantine(String name);

    // ---------------------------------------------------------------- aliases
    // Every method that takes a collection name also takes an alias, resolved once per call.

    /**
     * Points {@code alias} to {@code collection} (creating it, or re-pointing it atomically), durably; completes
     * with {@code true} when the alias is new. ALIAS_CONFLICT when a collection has the alias's name,
     * COLLECTION_NOT_FOUND when the target is not an existing collection.
     */
    CompletableFuture<Boolean> putAlias(String alias, String collection);

    /** The collection {@code alias} points to; ALIAS_NOT_FOUND when there is no such alias. */
    CompletableFuture<String> alias(String alias);

    /** Every alias → collection, sorted by alias. */
    CompletableFuture<SortedMap<String, String>> aliases();

    /** Completes with {@code false} when there was no such alias; durable when completed. */
    CompletableFuture<Boolean> deleteAlias(String alias);

    /** The model cards this engine can embed or rerank with. */
    List<ModelCard> modelCards();

    // ---------------------------------------------------------------- documents

    /**
     * Embeds and indexes documents (upsert by id); a document with its own {@code vector} is indexed with it, without
     * inference (required on a collection without a model). Completes only after the write is durable (fsynced to
     * the write-ahead log): a completed future is an acknowledged write.
     */
    CompletableFuture<Integer> index(String collection, List<Document> documents);

    /**
     * {@link #index} with what was written: for a sharded collection also the log offset of each shard written, which
     * {@link #search(String, SearchRequest, Duration, Map)} takes as {@code after} to read these writes.
     */
    default CompletableFuture<IndexReceipt> indexWithReceipt(String collection, List<Document> documents) {
        return index(collection, documents).thenApply(IndexReceipt::local);
    }

    CompletableFuture<Optional<Document>> getDocument(String collection, String id);

    /** Completes with {@code false} when no such document existed. Durable when completed. */
    CompletableFuture<Boolean> deleteDocument(String collection, String id);

    /**
     * {@link #deleteDocument} with what was written: {@code indexed} 1 when the document existed (0: none, nothing
     * written) and, for a sharded collection, the log offset of its tombstone, which a search takes as {@code after}.
     */
    default CompletableFuture<IndexReceipt> deleteWithReceipt(String collection, String id) {
        return deleteDocument(collection, id).thenApply(deleted -> IndexReceipt.local(deleted ? 1 : 0));
    }

    /**
     * One page of an export: up to {@code limit} (1-{@link DocumentPage#MAX_LIMIT}) documents in ascending id
     * order after {@code cursor} (null: from the first), as {@link #getDocument} returns them. Following
     * {@link DocumentPage#nextCursor()} until it is null returns every document present for the whole export
     * exactly once, whatever is written or merged meanwhile; a cursor this engine did not make is a 400.
     */
    CompletableFuture<DocumentPage> documents(String collection, String cursor, int limit);

    /**
     * Merges field patches into stored documents without inference: each keeps its text and stored vector and
     * is logged as an ordinary upsert (last writer wins in log order; a document deleted before the patch stays
     * deleted). Completes, once durable, with the ids that had no document (nothing was written for those).
     * A field value of the wrong declared type fails the whole call with INVALID_DOCUMENT before anything is logged.
     */
    CompletableFuture<List<String>> patchDocuments(String collection, List<DocumentPatch> patches);

    /**
     * Deletes every document that passes {@code filter} (the search filter language); completes, once durable,
     * with how many it deleted. An empty filter is INVALID_QUERY: there is no accidental delete-all.
     */
    CompletableFuture<Long> deleteByFilter(String collection, Map<String, Object> filter);

    // ---------------------------------------------------------------- search

    /** Runs the search pipeline: plan, embed the query, retrieve, fuse, cut, rerank. */
    CompletableFuture<SearchPage> search(String collection, SearchRequest request);

    /**
     * The same pipeline as {@link #search}, cancellable while it runs (WebSocket / SSE live search); with a
     * rerank step the first-stage page is published as the query's candidates before reranking starts.
     */
    LiveQuery searchLive(String collection, SearchRequest request);

    /**
     * {@link #search} under a deadline ({@code timeout} from now; null: none): past it the future fails at once with
     * DEADLINE_EXCEEDED (504) naming the stage, no further stage starts and the running one is cancelled.
     */
    CompletableFuture<SearchPage> search(String collection, SearchRequest request, Duration timeout);

    /**
     * {@link #search(String, SearchRequest, Duration)} that sees at least the writes up to {@code after} (shard → log
     * offset, from an {@link IndexReceipt}); only a sharded collection has offsets, so a local one refuses a non-empty
     * {@code after}.
     */
    default CompletableFuture<SearchPage> search(String collection, SearchRequest request, Duration timeout, Map<Integer, Long> after) {
        if (after != null && !after.isEmpty()) {
            return CompletableFuture.failedFuture(new PoiskException(io.poisk.core.ErrorCode.INVALID_QUERY, "'after' (shard offsets"
                    + " of an ingest reply) is for sharded collections; collection '" + collection + "' is not one, and its"
                    + " acknowledged writes are searchable at once"));
        }
        return search(collection, request, timeout);
    }

    /** {@link #searchLive} under a deadline: past it the query's result fails with DEADLINE_EXCEEDED and its work stops. */
    LiveQuery searchLive(String collection, SearchRequest request, Duration timeout);

    // ---------------------------------------------------------------- snapshots

    /**
     * Takes a snapshot of a collection while writes go on: consistent at one write-ahead-log position (every write
     * acknowledged before it started is in it, none started after it completed). Kept under the data directory.
     */
    CompletableFuture<SnapshotInfo> createSnapshot(String collection);

    /** A snapshot of every open, writable collection (each at its own log position). */
    CompletableFuture<List<SnapshotInfo>> snapshotAll();

    /** The snapshots of a collection (also of one deleted since), oldest first. */
    CompletableFuture<List<SnapshotInfo>> listSnapshots(String collection);

    /** Completes with {@code false} when there was no such snapshot. */
    CompletableFuture<Boolean> deleteSnapshot(String collection, String id);

    /** Writes a snapshot's tar archive into a new temporary file and completes with it; the caller deletes it once sent. */
    CompletableFuture<java.nio.file.Path> snapshotArchive(String collection, String id);

    /** A fresh temporary file (under the data directory) to stream an uploaded archive into; start-up removes leftovers. */
    java.nio.file.Path newUploadFile();

    /** Largest archive a restore accepts ({@code limits.max_restore_bytes}). */
    long maxRestoreBytes();

    /**
     * Creates collection {@code name} from an uploaded archive, which it deletes afterwards. A damaged or foreign
     * archive is BAD_REQUEST and leaves no collection; an existing {@code name} is COLLECTION_EXISTS.
     */
    CompletableFuture<CollectionDescription> restoreArchive(String name, java.nio.file.Path archive);

    /** Creates collection {@code name} from snapshot {@code id} of {@code collection}. */
    CompletableFuture<CollectionDescription> restoreSnapshot(String name, String collection, String id);

    // ---------------------------------------------------------------- stats and lifecycle

    /** Searches stopped by their deadline, in total and by stage. */
    DeadlineStats deadlineStats();

    /** Counters of the live searches started by {@link #searchLive}. */
    LiveSearchStats liveStats();

    /**
     * What {@code GET /stats} shows: {@code live_search}, {@code query_embedding_cache} and {@code ingest}
     * ({@code skipped_inference}: upserted documents whose unchanged text kept its stored vector) counters.
     */
    Map<String, Object> stats();

    /** Where the engine's and the models' meters go (the server's Prometheus registry when served). */
    MeterRegistry meterRegistry();

    /** Whether the engine can take traffic now: default model loaded, collections opened, data directory writable. */
    CompletableFuture<Readiness> readiness();

    /** What the embedding of {@code model} has done (null before its first use), for diagnostics and tests. */
    BatcherStats embeddingStats(String model);

    /** Loads the model of every existing collection now, so the first request after a restart is not slow. */
    CompletableFuture<Void> warmUp();

    /** Stops taking work, finishes accepted writes and closes the collections and models. */
    @Override
    void close();
}
