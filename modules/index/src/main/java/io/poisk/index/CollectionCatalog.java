package io.poisk.index;

import io.poisk.core.CollectionName;
import io.poisk.core.CollectionSchema;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The collections of a data directory, one folder each under {@code <dataDir>/collections/<name>/}.
 *
 * <p>Each collection opens on its own: one that fails (a damaged file, a missing schema, a newer
 * format) is kept as an {@link UnavailableCollection} with its reason while the others serve. Start-up
 * deletes only what this software left half-done: folders a drop renamed to {@code .dropped-*}, and
 * folders a create marked with {@link CollectionFolder#CREATING_MARKER} but did not finish.
 */
public final class CollectionCatalog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CollectionCatalog.class);
    private static final String DROPPED_PREFIX = ".dropped-";

    private final Path collectionsDir;
    private final IndexOptions opts;
    private final StorageLimits limits;
    private final DiskBudget diskBudget;
    private final Map<String, CollectionIndex> collections = new ConcurrentHashMap<>();
    private final Map<String, UnavailableCollection> unavailable = new ConcurrentHashMap<>();

    private CollectionCatalog(Path collectionsDir, IndexOptions opts, StorageLimits limits) {
        this.collectionsDir = collectionsDir;
        this.opts = opts;
        this.limits = limits;
        this.diskBudget = new DiskBudget(collectionsDir, limits.maxDiskBytes());
    }

    /** Opens every collection with the default {@code limits.*}. */
    public static CollectionCatalog open(Path dataDir, IndexOptions opts) throws IOException {
        return open(dataDir, opts, StorageLimits.defaults());
    }

    /** Opens every existing collection (replaying their logs), recording the ones that fail, and clears leftovers of interrupted creates and drops. */
    public static CollectionCatalog open(Path dataDir, IndexOptions opts, StorageLimits limits) throws IOException {
        Path dir = dataDir.resolve("collections");
        Files.createDirectories(dir);
        CollectionCatalog catalog = new CollectionCatalog(dir, opts, limits);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                if (Files.isDirectory(p)) catalog.openFolder(p);
            }
        }
        return catalog;
    }

    private void openFolder(Path p) throws IOException {
        String name = p.getFileName().toString();
        if (name.startsWith(DROPPED_PREFIX)) {
            log.info("removing {}: a drop renamed it and was interrupted before deleting it", p);
            DurableFiles.deleteTree(p);
            return;
        }
        if (!isCollectionName(name)) {
            log.warn("ignoring {}: '{}' is not a collection name, so this folder is not a collection", p, name);
            return;
        }
        boolean hasSchema = Files.exists(p.resolve(CollectionFolder.SCHEMA_FILE));
        boolean creating = Files.exists(p.resolve(CollectionFolder.CREATING_MARKER));
        if (!hasSchema && creating) {
            log.info("removing {}: a create that was interrupted before it wrote the schema", p);
            DurableFiles.deleteTree(p);
            return;
        }
        if (!hasSchema) {
            markUnavailable(name, p.resolve(CollectionFolder.SCHEMA_FILE) + " is missing (and no interrupted create left it so),"
                    + " so the folder is kept as it is");
            return;
        }
        if (creating) Files.delete(p.resolve(CollectionFolder.CREATING_MARKER)); // the schema is written last: the create had finished
        try {
            collections.put(name, CollectionIndex.open(p, opts, diskBudget));
        } catch (IOException | RuntimeException e) {
            markUnavailable(name, e.getMessage() == null ? e.toString() : e.getMessage());
            log.debug("opening collection '{}' failed", name, e);
        }
    }

    private static boolean isCollectionName(String name) {
        try {
            CollectionName.validate(name);
            return true;
        } catch (PoiskException e) {
            return false;
        }
    }

    private void markUnavailable(String name, String reason) {
        unavailable.put(name, new UnavailableCollection(name, reason));
        log.warn("collection '{}' is unavailable: {}; the other collections serve", name, reason);
    }

    /** Creates a collection; an identical existing one is returned, a different one is a COLLECTION_EXISTS error. */
    public CollectionIndex create(CollectionSchema schema) throws IOException {
        return create(schema, CollectionOptions.defaults());
    }

    /**
     * Creates a collection with index options (language, declared fields); identical schema and options return the
     * existing one. Refused with TOO_MANY_COLLECTIONS past {@code limits.max_collections} and with
     * INSUFFICIENT_STORAGE at {@code limits.max_disk_bytes}.
     */
    public synchronized CollectionIndex create(CollectionSchema schema, CollectionOptions options) throws IOException {
        UnavailableCollection broken = unavailable.get(schema.name());
        if (broken != null) throw broken.error();
        CollectionIndex existing = collections.get(schema.name());
        if (existing != null) {
            // Options that do not say how long documents are embedded match what the collection does.
            if (existing.schema().equals(schema) && existing.options().equals(options.withPassagesIfUnsaid(existing.options().passages()))) {
                return existing;
            }
            throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "collection '" + schema.name() + "' already exists with "
                    + describe(existing.schema()) + ", options " + existing.options().toMap() + "; requested " + describe(schema)
                    + ", options " + options.toMap());
        }
        int count = collections.size() + unavailable.size();
        if (limits.maxCollections() > 0 && count >= limits.maxCollections()) {
            throw new PoiskException(ErrorCode.TOO_MANY_COLLECTIONS, "cannot create collection '" + schema.name() + "': there are "
                    + count + " collections and limits.max_collections is " + limits.maxCollections()
                    + "; delete one or raise the limit");
        }
        diskBudget.checkRoom("creating collection '" + schema.name() + "'");
        Path dir = collectionsDir.resolve(schema.name());
        if (Files.exists(dir)) {
            // Only a create of this software (which failed earlier) leaves a folder that is neither open nor unavailable.
            if (!Files.exists(dir.resolve(CollectionFolder.CREATING_MARKER))) {
                throw new PoiskException(ErrorCode.COLLECTION_UNAVAILABLE, "cannot create collection '" + schema.name() + "': "
                        + dir + " exists and was not left by an unfinished create; move it away first");
            }
            DurableFiles.deleteTree(dir);
        }
        CollectionIndex created = CollectionIndex.create(dir, schema, options, opts, diskBudget);
        collections.put(schema.name(), created);
        diskBudget.remeasure();
        return created;
    }

    /**
     * Creates collection {@code name} from a snapshot folder: verified first (a damaged one is a BAD_REQUEST and
     * leaves nothing behind), then installed as an unfinished create and opened, which replays its log. The same
     * limits as a create apply; an existing collection of that name is COLLECTION_EXISTS.
     */
    public synchronized CollectionIndex restore(String name, Path snapshot) throws IOException {
        CollectionName.validate(name);
        if (exists(name)) throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "collection '" + name + "' already exists;"
                + " restore into a new name or delete it first");
        int count = collections.size() + unavailable.size();
        if (limits.maxCollections() > 0 && count >= limits.maxCollections()) {
            throw new PoiskException(ErrorCode.TOO_MANY_COLLECTIONS, "cannot restore collection '" + name + "': there are "
                    + count + " collections and limits.max_collections is " + limits.maxCollections());
        }
        diskBudget.checkRoom("restoring collection '" + name + "'");
        SnapshotManifest manifest = CollectionSnapshot.verify(snapshot);
        Path dir = collectionsDir.resolve(name);
        if (Files.exists(dir)) {
            if (!Files.exists(dir.resolve(CollectionFolder.CREATING_MARKER))) {
                throw new PoiskException(ErrorCode.COLLECTION_UNAVAILABLE, "cannot restore collection '" + name + "': "
                        + dir + " exists and was not left by an unfinished create; move it away first");
            }
            DurableFiles.deleteTree(dir);
        }
        CollectionIndex restored;
        try {
            CollectionSnapshot.install(snapshot, dir, name, manifest);
            restored = CollectionIndex.open(dir, opts, diskBudget);
        } catch (IOException | RuntimeException e) {
            DurableFiles.deleteTree(dir);
            if (e instanceof PoiskException p && p.code() != ErrorCode.INTERNAL) throw p;
            throw new PoiskException(ErrorCode.BAD_REQUEST, "the snapshot does not restore as a collection: " + e.getMessage(), e);
        }
        collections.put(name, restored);
        diskBudget.remeasure();
        return restored;
    }

    private static String describe(CollectionSchema s) {
        return (s.hasModel() ? "model '" + s.model() + "'" : "no model") + ", dimension " + s.dimension() + ", similarity " + s.similarity();
    }

    /** Whether a collection of this name exists, open or unavailable. */
    public boolean exists(String name) {
        return collections.containsKey(name) || unavailable.containsKey(name);
    }

    /** The open collection; empty when there is none; a COLLECTION_UNAVAILABLE error (503) when it failed to open. */
    public Optional<CollectionIndex> get(String name) {
        UnavailableCollection broken = unavailable.get(name);
        if (broken != null) throw broken.error();
        return Optional.ofNullable(collections.get(name));
    }

    /** Open collections, by name. */
    public List<CollectionIndex> list() {
        return collections.values().stream().sorted(Comparator.comparing(c -> c.schema().name())).toList();
    }

    /** Collections that failed to open, by name, each with its reason. */
    public List<UnavailableCollection> unavailable() {
        return unavailable.values().stream().sorted(Comparator.comparing(UnavailableCollection::name)).toList();
    }

    /** Closes a collection (or forgets an unavailable one) and deletes its folder; false when there was none. */
    public synchronized boolean drop(String name) throws IOException {
        CollectionName.validate(name);
        CollectionIndex c = collections.remove(name);
        UnavailableCollection broken = unavailable.remove(name);
        if (c == null && broken == null) return false;
        if (c != null) c.close();
        Path dir = collectionsDir.resolve(name);
        // Rename first so that a crash mid-delete never leaves a half collection that looks whole.
        Path doomed = collectionsDir.resolve(DROPPED_PREFIX + name + "-" + System.nanoTime());
        Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsyncDirectory(collectionsDir);
        DurableFiles.deleteTree(doomed);
        diskBudget.remeasure();
        if (broken != null) log.info("dropped unavailable collection '{}' ({})", name, broken.reason());
        return true;
    }

    @Override
    public synchronized void close() {
        for (CollectionIndex c : collections.values()) c.close();
        collections.clear();
    }
}
