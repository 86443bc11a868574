package io.poisk.core;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The engine as its callers see it: the HTTP, WebSocket and event-bus front ends and the
 * evaluation harness all drive Poisk through this interface. Every method is non-blocking:
 * model inference and disk work run on the engine's own executors, and failures complete the
 * future exceptionally with a {@link PoiskException}.
 */
public interface SearchService extends AutoCloseable {

    /** Creates a collection; completes with {@code true} if created, {@code false} if an identical one existed. */
    CompletableFuture<Boolean> createCollection(String name, String model);

    CompletableFuture<List<CollectionInfo>> listCollections();

    CompletableFuture<CollectionInfo> describeCollection(String name);

    /** Completes with {@code false} when there was no such collection. */
    CompletableFuture<Boolean> deleteCollection(String name);

    /**
     * Embeds and indexes documents (upsert by id). Completes only after the write is durable
     * (fsynced to the write-ahead log): a completed future is an acknowledged write.
     */
    CompletableFuture<Integer> index(String collection, List<Document> documents);

    CompletableFuture<Optional<Document>> getDocument(String collection, String id);

    /** Completes with {@code false} when no such document existed. Durable when completed. */
    CompletableFuture<Boolean> deleteDocument(String collection, String id);

    CompletableFuture<SearchResponse> search(String collection, SearchRequest request);

    @Override
    void close();
}
