package io.poisk.engine;

import io.poisk.core.CollectionInfo;
import io.poisk.core.CollectionName;
import io.poisk.core.CollectionSchema;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.core.Similarity;
import io.poisk.index.CollectionCatalog;
import io.poisk.index.CollectionIndex;
import io.poisk.index.CollectionOptions;
import io.poisk.index.PassageOptions;
import io.poisk.index.UnavailableCollection;
import io.poisk.models.EmbedderCard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

/**
 * Collection lifecycle: create (with the card checks of its model and default reranker), list, describe,
 * delete, the aliases (their rules against collection names), and the lookup every other part goes
 * through, which resolves an alias to its collection and fails UNAVAILABLE once the engine closes.
 * Catalog work runs on the disk executor.
 */
final class CollectionService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CollectionService.class);

    private final CollectionCatalog catalog;
    private final ModelCards cards;
    private final BoundedExecutor disk;
    private final String defaultModel;
    private final AliasTable aliases;
    /** Serialises creates, deletes and alias changes, which check each other's names. */
    private final Object createLock = new Object();
    private volatile boolean closed;
    /** Told the open collections after a create or a delete (the per-collection gauges follow them). */
    private final java.util.function.Consumer<List<CollectionIndex>> changed;

    CollectionService(CollectionCatalog catalog, ModelCards cards, BoundedExecutor disk, String defaultModel, AliasTable aliases,
                      java.util.function.Consumer<List<CollectionIndex>> changed) {
        this.catalog = catalog;
        this.changed = changed;
        changed.accept(catalog.list());
        this.cards = cards;
        this.disk = disk;
        this.defaultModel = defaultModel;
        this.aliases = aliases;
    }

    CompletableFuture<Boolean> create(String name, String model, CollectionOptions options) {
        try {
            CollectionName.validate(name);
            String modelId = model == null || model.isBlank() ? defaultModel : model;
            EmbedderCard card = cards.embedder(modelId);
            if (options.rerank() != null) cards.defaultReranker(options.rerank().model());
            return create(new CollectionSchema(name, card.id(), card.dimension(), CollectionSchema.COSINE), options);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A collection without a model: its documents and dense queries bring vectors of {@code dimension} numbers. */
    CompletableFuture<Boolean> createWithoutModel(String name, int dimension, Similarity similarity, CollectionOptions options) {
        try {
            CollectionName.validate(name);
            if (dimension < 1 || dimension > Similarity.MAX_DIMENSION) {
                throw PoiskException.badRequest("'dimension' must be an integer between 1 and " + Similarity.MAX_DIMENSION + ", got " + dimension);
            }
            if (options.rerank() != null) cards.defaultReranker(options.rerank().model());
            return create(new CollectionSchema(name, null, dimension, java.util.Objects.requireNonNull(similarity, "similarity").wireName()),
                    options);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Boolean> create(CollectionSchema schema, CollectionOptions options) {
        String name = schema.name();
        try {
            return disk.submit(() -> {
                synchronized (createLock) {
                    String aliasTarget = catalog.exists(name) ? null : aliases.target(name);
                    if (aliasTarget != null) {
                        throw new PoiskException(ErrorCode.ALIAS_CONFLICT, "'" + name + "' is an alias of collection '" + aliasTarget
                                + "'; a collection cannot take an alias's name: delete the alias (DELETE /aliases/" + name
                                + ") or choose another name");
                    }
                    Optional<CollectionIndex> existing = catalog.get(name);
                    if (existing.isPresent()) {
                        CollectionSchema old = existing.get().schema();
                        CollectionOptions oldOptions = existing.get().options();
                        // A request that does not say how to embed long documents matches what the collection does.
                        if (old.equals(schema) && oldOptions.equals(options.withPassagesIfUnsaid(oldOptions.passages()))) return false;
                        throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "collection '" + name
                                + "' already exists with " + vectors(old) + " and options " + oldOptions.toMap()
                                + "; delete it first to re-create it with " + vectors(schema) + " and options " + options.toMap());
                    }
                    catalog.create(schema, options.withPassagesIfUnsaid(PassageOptions.DEFAULT));
                    changed.accept(catalog.list());
                    LOG.info("created collection {} ({}, options {})", name, vectors(schema), options.toMap());
                    return true;
                }
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** How a schema makes its vectors, for messages. */
    private static String vectors(CollectionSchema s) {
        return s.hasModel() ? "model '" + s.model() + "' (dimension " + s.dimension() + ")"
                : "no model (dimension " + s.dimension() + ", similarity " + s.similarity() + ")";
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
                if (catalog.exists(name)) {
                    List<String> pointing = aliases.pointingTo(name);
                    if (!pointing.isEmpty()) {
                        throw new PoiskException(ErrorCode.ALIAS_CONFLICT, "collection '" + name + "' is the target of alias"
                                + (pointing.size() == 1 ? " " : "es ") + pointing + "; re-point them to another collection"
                                + " (PUT /aliases/{alias}) or delete them (DELETE /aliases/{alias}) first");
                    }
                } else {
                    String target = aliases.target(name);
                    if (target != null) {
                        throw new PoiskException(ErrorCode.ALIAS_CONFLICT, "'" + name + "' is an alias of collection '" + target
                                + "', not a collection; DELETE /aliases/" + name + " removes the alias, DELETE /collections/"
                                + target + " the collection");
                    }
                }
                boolean dropped = catalog.drop(name);
                if (dropped) changed.accept(catalog.list());
                if (dropped) LOG.info("deleted collection {}", name);
                return dropped;
            }
        });
    }

    /**
     * The open collection of that name, or the one the alias of that name points to (read once: a caller
     * that keeps the result works on one collection while the alias is re-pointed); UNAVAILABLE once the
     * engine closes, COLLECTION_NOT_FOUND when there is neither.
     */
    CollectionIndex get(String name) {
        if (closed) throw new PoiskException(ErrorCode.UNAVAILABLE, "the engine is shutting down");
        CollectionName.validate(name);
        Optional<CollectionIndex> direct = catalog.get(name);
        if (direct.isPresent()) return direct.get();
        String target = aliases.target(name);
        if (target == null) throw PoiskException.collectionNotFound(name);
        return catalog.get(target).orElseThrow(() -> new PoiskException(ErrorCode.COLLECTION_NOT_FOUND, "alias '" + name
                + "' points to collection '" + target + "', which does not exist; re-point the alias (PUT /aliases/" + name
                + ") or delete it"));
    }

    // ---------------------------------------------------------------- aliases

    /**
     * Points {@code alias} to {@code collection}, creating the alias or re-pointing it in one step; true when it
     * is new. The alias may not be a collection's name, the target must be an existing collection (not an alias).
     */
    CompletableFuture<Boolean> putAlias(String alias, String collection) {
        return disk.submit(() -> {
            CollectionName.validate(alias);
            CollectionName.validate(collection);
            synchronized (createLock) {
                if (catalog.exists(alias)) {
                    throw new PoiskException(ErrorCode.ALIAS_CONFLICT, "a collection named '" + alias
                            + "' exists; an alias cannot hide a collection: choose another alias name");
                }
                if (!catalog.exists(collection)) {
                    String target = aliases.target(collection);
                    throw new PoiskException(ErrorCode.COLLECTION_NOT_FOUND, target == null
                            ? "collection '" + collection + "' does not exist; an alias must point to an existing collection"
                            : "'" + collection + "' is an alias (of collection '" + target + "'), not a collection; an alias"
                                    + " points to a collection: use {\"collection\":\"" + target + "\"}");
                }
                String previous = aliases.put(alias, collection);
                if (!collection.equals(previous)) {
                    LOG.info("alias {} -> {}{}", alias, collection, previous == null ? " (new)" : " (was " + previous + ")");
                }
                return previous == null;
            }
        });
    }

    /** The collection an alias points to; ALIAS_NOT_FOUND when there is no such alias. */
    CompletableFuture<String> alias(String alias) {
        return disk.submit(() -> {
            CollectionName.validate(alias);
            String target = aliases.target(alias);
            if (target == null) throw aliasNotFound(alias);
            return target;
        });
    }

    /** Every alias with its collection, sorted by alias. */
    CompletableFuture<SortedMap<String, String>> aliases() {
        return disk.submit(aliases::all);
    }

    /** Completes with {@code false} when there was no such alias; durable when completed. */
    CompletableFuture<Boolean> deleteAlias(String alias) {
        return disk.submit(() -> {
            CollectionName.validate(alias);
            synchronized (createLock) {
                boolean removed = aliases.remove(alias);
                if (removed) LOG.info("deleted alias {}", alias);
                return removed;
            }
        });
    }

    /** Whether {@code name} is an alias (and not a collection). */
    boolean isAlias(String name) {
        return !catalog.exists(name) && aliases.target(name) != null;
    }

    private PoiskException aliasNotFound(String alias) {
        String hint = catalog.exists(alias) ? " ('" + alias + "' is a collection)" : "";
        return new PoiskException(ErrorCode.ALIAS_NOT_FOUND, "alias '" + alias + "' does not exist" + hint);
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
