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

/** The collections of a data directory, one folder each under {@code <dataDir>/collections/<name>/}. */
public final class CollectionCatalog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CollectionCatalog.class);
    private static final String DROPPED_PREFIX = ".dropped-";

    private final Path collectionsDir;
    private final IndexOptions opts;
    private final Map<String, CollectionIndex> collections = new ConcurrentHashMap<>();

    private CollectionCatalog(Path collectionsDir, IndexOptions opts) {
        this.collectionsDir = collectionsDir;
        this.opts = opts;
    }

    /** Opens every existing collection (replaying their logs) and clears leftovers of interrupted creates and drops. */
    public static CollectionCatalog open(Path dataDir, IndexOptions opts) throws IOException {
        Path dir = dataDir.resolve("collections");
        Files.createDirectories(dir);
        CollectionCatalog catalog = new CollectionCatalog(dir, opts);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                if (!Files.isDirectory(p)) continue;
                String name = p.getFileName().toString();
                if (name.startsWith(DROPPED_PREFIX) || !Files.exists(p.resolve(CollectionIndex.SCHEMA_FILE))) {
                    log.info("removing {}: an interrupted create or drop", p);
                    DurableFiles.deleteTree(p);
                    continue;
                }
                try {
                    catalog.collections.put(name, CollectionIndex.open(p, opts));
                } catch (IOException | RuntimeException e) {
                    catalog.close();
                    throw new IOException("cannot open collection '" + name + "' in " + p + ": " + e.getMessage(), e);
                }
            }
        }
        return catalog;
    }

    /** Creates a collection; an identical existing one is returned, a different one is a COLLECTION_EXISTS error. */
    public CollectionIndex create(CollectionSchema schema) throws IOException {
        return create(schema, CollectionOptions.defaults());
    }

    /** Creates a collection with index options (language, declared fields); identical schema and options return the existing one. */
    public synchronized CollectionIndex create(CollectionSchema schema, CollectionOptions options) throws IOException {
        CollectionIndex existing = collections.get(schema.name());
        if (existing != null) {
            if (existing.schema().equals(schema) && existing.options().equals(options)) return existing;
            throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "collection '" + schema.name() + "' already exists with "
                    + describe(existing.schema()) + ", options " + existing.options().toMap() + "; requested " + describe(schema)
                    + ", options " + options.toMap());
        }
        Path dir = collectionsDir.resolve(schema.name());
        DurableFiles.deleteTree(dir); // an unfinished create (no schema file) may have left a folder
        CollectionIndex created = CollectionIndex.create(dir, schema, options, opts);
        collections.put(schema.name(), created);
        return created;
    }

    private static String describe(CollectionSchema s) {
        return "model '" + s.model() + "', dimension " + s.dimension() + ", similarity " + s.similarity();
    }

    public boolean exists(String name) {
        return collections.containsKey(name);
    }

    public Optional<CollectionIndex> get(String name) {
        return Optional.ofNullable(collections.get(name));
    }

    /** Open collections, by name. */
    public List<CollectionIndex> list() {
        return collections.values().stream().sorted(Comparator.comparing(c -> c.schema().name())).toList();
    }

    /** Closes a collection and deletes its folder; false when there was none. */
    public synchronized boolean drop(String name) throws IOException {
        CollectionName.validate(name);
        CollectionIndex c = collections.remove(name);
        if (c == null) return false;
        c.close();
        Path dir = collectionsDir.resolve(name);
        // Rename first so that a crash mid-delete never leaves a half collection that looks whole.
        Path doomed = collectionsDir.resolve(DROPPED_PREFIX + name + "-" + System.nanoTime());
        Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsyncDirectory(collectionsDir);
        DurableFiles.deleteTree(doomed);
        return true;
    }

    @Override
    public synchronized void close() {
        for (CollectionIndex c : collections.values()) c.close();
        collections.clear();
    }
}
