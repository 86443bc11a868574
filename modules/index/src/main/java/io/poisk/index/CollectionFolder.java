package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The layout of one collection's folder: what a create writes and in which order, so that start-up can tell
 * a finished collection (it has its schema) from a create that was interrupted (its marker is still there)
 * and from a collection that lost its schema (neither: reported, never deleted).
 */
final class CollectionFolder {
    private static final Logger log = LoggerFactory.getLogger(CollectionFolder.class);
    static final String SCHEMA_FILE = "collection.json";
    /** Written first and removed last by {@link #create}: a folder with it and without a schema is an interrupted create. */
    static final String CREATING_MARKER = ".creating";

    private CollectionFolder() {
    }

    /** Writes a new, empty collection's files into {@code dir}, which must not hold a collection yet. */
    static void create(Path dir, CollectionSchema schema, CollectionOptions options) throws IOException {
        if (Files.exists(dir.resolve(SCHEMA_FILE))) {
            throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "collection '" + schema.name() + "' already exists in " + dir);
        }
        Files.createDirectories(dir);
        // The marker goes first, so start-up can tell this create's leftovers from a collection that lost its schema.
        DurableFiles.writeAtomically(dir.resolve(CREATING_MARKER), new byte[0]);
        DurableFiles.fsyncDirectory(dir.getParent());
        Files.createDirectories(dir.resolve("segments"));
        Files.createDirectories(dir.resolve("wal"));
        Manifest.empty().write(dir);
        options.write(dir);
        // The schema goes last: a folder without it is an unfinished create and is not a collection.
        VersionedJson.write(dir.resolve(SCHEMA_FILE), FileFormat.SCHEMA, schema);
        Files.delete(dir.resolve(CREATING_MARKER));
        DurableFiles.fsyncDirectory(dir);
    }

    static CollectionSchema readSchema(Path dir) throws IOException {
        Path file = dir.resolve(SCHEMA_FILE);
        return VersionedJson.read(file, FileFormat.SCHEMA).as(CollectionSchema.class, file);
    }

    /**
     * Deletes segment folders the manifest does not name: an interrupted flush or merge wrote them, and
     * their documents are still in the log (flush) or in the segments they were merged from (merge).
     */
    static void removeOrphanSegments(Path segmentsDir, Set<String> named) throws IOException {
        try (Stream<Path> s = Files.list(segmentsDir)) {
            for (Path p : s.toList()) {
                if (!named.contains(p.getFileName().toString())) {
                    log.info("removing {}: not named by the manifest (an interrupted flush or merge)", p);
                    DurableFiles.deleteTree(p);
                }
            }
        }
    }
}
