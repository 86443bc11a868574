package io.poisk.engine;

import io.poisk.core.CollectionInfo;
import io.poisk.core.CollectionName;
import io.poisk.core.CollectionSchema;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.index.CollectionCatalog;
import io.poisk.index.CollectionIndex;
import io.poisk.index.CollectionOptions;
import io.poisk.index.UnavailableCollection;
import io.poisk.models.EmbedderCard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Collection lifecycle: create (with the card checks of its model and default reranker), list, describe,
 * delete, and the lookup every other part goes through, which fails UNAVAILABLE once the engine closes.
 * Catalog work runs on the disk executor.
 */
final class CollectionService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CollectionService.class);

    private final CollectionCatalog catalog;
    private final ModelCards cards;
    private final BoundedExecutor disk;
    private final String defaultModel;
    private final Object createLock = new Object();
    private volatile boolean closed;
    /** Told the open collections after a create or a delete (the per-collection gauges follow them). */
    private final java.util.function.Consumer<List<CollectionIndex>> changed;

    CollectionService(CollectionCatalog catalog, ModelCards cards, BoundedExecutor disk, String defaultModel,
                      java.util.function.Consumer<List<CollectionIndex>> changed) {
        this.catalog = catalog;
        this.changed = changed;
        changed.accept(catalog.list());
        this.cards = cards;
        this.disk = disk;
        this.defaultModel = defaultModel;
    }

    CompletableFuture<Boolean> create(String name, String model, CollectionOptions options) {
        try {
            CollectionName.validate(name);
            String modelId = model == null || model.isBlank() ? defaultModel : model;
            EmbedderCard card = cards.embedder(modelId);
            if (options.rerank() != null) cards.defaultReranker(options.rerank().model());
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
                    changed.accept(catalog.list());
                    LOG.info("created collection {} (model {}, dimension {}, options {})", name, schema.model(), schema.dimension(),
                            options.toMap());
                    return true;
                }
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Open collections and those that failed to open (with their reason), by name. */
    CompletableFuture<List<CollectionDescription>> list() {
        return disk.submit(() -> {
            List<CollectionDescription> all = new ArrayList<>();
            for (CollectionIndex index : catalog.list()) {
                try {
                    all.add(description(index));
                } catch (RuntimeException e) {
                    if (isOpen(index)) throw e; // deleted while listed: it is simply no longer in the list
                }
            }
            catalog.unavailable().stream().map(CollectionDescription::of).forEach(all::add);
            all.sort(Comparator.comparing(CollectionDescription::name));
            return all;
        });
    }

    /** Names of the collections that failed to open (damaged files); the others serve. */
    List<String> unavailable() {
        return catalog.unavailable().stream().map(UnavailableCollection::name).toList();
    }

    CompletableFuture<CollectionDescription> describe(String name) {
        return disk.submit(() -> use(name, CollectionService::description));
    }

    CompletableFuture<Boolean> delete(String name) {
        return disk.submit(() -> {
            CollectionName.validate(name);
            synchronized (createLock) {
                boolean dropped = catalog.drop(name);
                if (dropped) changed.accept(catalog.list());
                if (dropped) LOG.info("deleted collection {}", name);
                return dropped;
            }
        });
    }

    /** The open collection; UNAVAILABLE once the engine closes, COLLECTION_NOT_FOUND when there is none. */
    CollectionIndex get(String name) {
        if (closed) throw new PoiskException(ErrorCode.UNAVAILABLE, "the engine is shutting down");
        CollectionName.validate(name);
        return catalog.get(name).orElseThrow(() -> PoiskException.collectionNotFound(name));
    }

    /** Runs {@code op} on the named collection (see {@link #guarded}). */
    <T> T use(String name, IndexOperation<T> op) throws IOException {
        return guarded(get(name), op);
    }

    /**
     * Runs {@code op} on a collection, mapping a collection deleted (closed) under a running request to a 404
     * instead of the storage's "already closed": the request lost a race with a DELETE, the server is fine.
     */
    <T> T guarded(CollectionIndex index, IndexOperation<T> op) throws IOException {
        try {
            return op.apply(index);
        } catch (RuntimeException | IOException e) {
            // A client error (bad query) stays what it is; the storage's own failures on a closed index are the race.
            boolean clientError = e instanceof PoiskException p && p.code() != ErrorCode.UNAVAILABLE && p.code() != ErrorCode.INTERNAL;
            if (isOpen(index) || clientError) throw e;
            throw new PoiskException(ErrorCode.COLLECTION_NOT_FOUND, "collection '" + index.schema().name()
                    + "' was deleted while this request used it", e);
        }
    }

    /** One operation on a collection's index. */
    interface IndexOperation<T> {
        T apply(CollectionIndex index) throws IOException;
    }

    private boolean isOpen(CollectionIndex index) {
        return !closed && catalog.get(index.schema().name()).orElse(null) == index;
    }

    private static CollectionDescription description(CollectionIndex index) {
        CollectionInfo info = new CollectionInfo(index.schema(), index.documentCount(), index.segmentCount(),
                index.liveSegmentDocuments());
        return new CollectionDescription(info, index.options());
    }

    /** Refuses further lookups; {@link #close()} then closes the catalog once the executors have drained. */
    void stop() {
        closed = true;
    }

    @Override
    public void close() {
        closed = true;
        catalog.close();
    }
}
