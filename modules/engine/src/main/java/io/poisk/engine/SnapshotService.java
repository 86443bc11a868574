package io.poisk.engine;

import io.poisk.core.CollectionName;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.index.CollectionCatalog;
import io.poisk.index.CollectionIndex;
import io.poisk.index.CollectionSnapshot;
import io.poisk.index.SnapshotManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * Snapshots of collections, kept under {@code <data_dir>/snapshots/<collection>/<id>/} (outside
 * {@code collections/}, so they are never listed as collections and outlive a deleted collection), their tar
 * archives, and restores into new collections. A snapshot is written into {@code .partial-<id>} and renamed when
 * complete; start-up removes such leftovers (only this class creates them). Uploads and archives being sent live
 * in {@code snapshots/.transfer/}, emptied at start-up. All work runs on one snapshot thread, so a long snapshot
 * or restore never holds up the index workers that serve searches and writes.
 */
final class SnapshotService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotService.class);
    private static final Pattern ID = Pattern.compile("[0-9]{8}t[0-9]{9}z-[0-9a-f]{6}");
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final String PARTIAL = ".partial-";

    private final Path root;
    private final Path transfer;
    private final CollectionService collections;
    private final CollectionCatalog catalog;
    private final long maxArchiveBytes;
    private final BoundedExecutor worker = new BoundedExecutor("poisk-snapshot", 1, 64);
    private final SecureRandom random = new SecureRandom();

    SnapshotService(Path dataDir, CollectionService collections, CollectionCatalog catalog, long maxArchiveBytes) {
        this.root = dataDir.resolve("snapshots");
        this.transfer = root.resolve(".transfer");
        this.collections = collections;
        this.catalog = catalog;
        this.maxArchiveBytes = maxArchiveBytes;
        try {
            Files.createDirectories(root);
            cleanUp();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + root, e);
        }
    }

    /** Removes what an interrupted snapshot or transfer of this class left: partial folders and transfer files. */
    private void cleanUp() throws IOException {
        deleteTree(transfer);
        Files.createDirectories(transfer);
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path c : dirs.filter(Files::isDirectory).toList()) {
                if (c.equals(transfer)) continue;
                try (Stream<Path> snaps = Files.list(c)) {
                    for (Path p : snaps.filter(p -> p.getFileName().toString().startsWith(PARTIAL)).toList()) {
                        LOG.info("removing {}: a snapshot interrupted before it was complete", p);
                        deleteTree(p);
                    }
                }
            }
        }
    }

    CompletableFuture<SnapshotInfo> create(String collection) {
        return worker.submit(() -> SnapshotInfo.of(take(collections.get(collection))));
    }

    /** One snapshot of every open collection, each at its own log position (collections share no log). */
    CompletableFuture<List<SnapshotInfo>> createAll() {
        return worker.submit(() -> {
            List<SnapshotInfo> all = new ArrayList<>();
            for (CollectionIndex c : catalog.list()) {
                if (c.readOnlyReason().isPresent()) {
                    LOG.warn("whole-server snapshot skips collection '{}': it is read-only", c.schema().name());
                    continue;
                }
                all.add(SnapshotInfo.of(take(c)));
            }
            return all;
        });
    }

    private SnapshotManifest take(CollectionIndex index) throws IOException {
        String name = index.schema().name();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String id = ID_TIME.format(now).toLowerCase(java.util.Locale.ROOT) + "-" + HexFormat.of().toHexDigits(random.nextInt()).substring(2);
        Path dir = root.resolve(name);
        Path partial = dir.resolve(PARTIAL + id);
        long t0 = System.nanoTime();
        try {
            SnapshotManifest m = collections.guarded(index, c -> c.snapshot(partial, id, now.toString()));
            Files.move(partial, dir.resolve(id), StandardCopyOption.ATOMIC_MOVE);
            LOG.info("snapshot {} of collection '{}' at LSN {}: {} documents, {} bytes, in {} ms", id, name, m.lsn(),
                    m.documents(), m.bytes(), (System.nanoTime() - t0) / 1_000_000);
            return m;
        } catch (IOException | RuntimeException e) {
            deleteTree(partial);
            throw e;
        }
    }

    CompletableFuture<List<SnapshotInfo>> list(String collection) {
        return worker.submit(() -> {
            Path dir = collectionDir(collection);
            if (!Files.isDirectory(dir)) {
                if (!catalog.exists(collection)) throw PoiskException.collectionNotFound(collection);
                return List.of();
            }
            List<SnapshotInfo> out = new ArrayList<>();
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.filter(p -> ID.matcher(p.getFileName().toString()).matches()).toList()) {
                    try {
                        out.add(SnapshotInfo.of(CollectionSnapshot.read(p)));
                    } catch (IOException e) {
                        LOG.warn("snapshot {} is not listed: {}", p, e.getMessage());
                    }
                }
            }
            out.sort(Comparator.comparing(SnapshotInfo::id));
            return out;
        });
    }

    CompletableFuture<Boolean> delete(String collection, String id) {
        return worker.submit(() -> {
            Path dir = snapshotDir(collection, id);
            if (!Files.isDirectory(dir)) return false;
            // Rename first: a crash mid-delete leaves a partial folder that start-up removes, never half a snapshot.
            Path doomed = collectionDir(collection).resolve(PARTIAL + "deleted-" + id);
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(doomed);
            return true;
        });
    }

    /** Writes the snapshot's archive into a new file under {@code .transfer/}; the caller sends and then deletes it. */
    CompletableFuture<Path> archive(String collection, String id) {
        return worker.submit(() -> {
            Path dir = existing(collection, id);
            Path file = newTransferFile(".tar");
            try (OutputStream out = Files.newOutputStream(file)) {
                SnapshotArchive.write(dir, out);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(file);
                throw e;
            }
            return file;
        });
    }

    /** A fresh file name under {@code .transfer/} for an upload; start-up removes what is left there. */
    Path newTransferFile(String suffix) {
        return transfer.resolve(HexFormat.of().formatHex(random.generateSeed(8)) + suffix);
    }

    long maxArchiveBytes() {
        return maxArchiveBytes;
    }

    /** Restores an uploaded archive (deleted afterwards) into the new collection {@code name}. */
    CompletableFuture<Void> restoreArchive(String name, Path archive) {
        return worker.submit(() -> {
            Path unpacked = newTransferFile(".d");
            try {
                CollectionName.validate(name);
                refuseExisting(name);
                Files.createDirectories(unpacked);
                SnapshotArchive.extract(archive, unpacked, maxArchiveBytes);
                catalog.restore(name, unpacked);
                return null;
            } finally {
                Files.deleteIfExists(archive);
                deleteTree(unpacked);
            }
        });
    }

    /** Restores a stored snapshot of {@code collection} into the new collection {@code name}. */
    CompletableFuture<Void> restoreSnapshot(String name, String collection, String id) {
        return worker.submit(() -> {
            CollectionName.validate(name);
            refuseExisting(name);
            catalog.restore(name, existing(collection, id));
            return null;
        });
    }

    private void refuseExisting(String name) {
        if (catalog.exists(name)) {
            throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "collection '" + name + "' already exists; restore into a new name or delete it first");
        }
    }

    private Path existing(String collection, String id) {
        Path dir = snapshotDir(collection, id);
        if (!Files.isDirectory(dir)) {
            throw new PoiskException(ErrorCode.NOT_FOUND, "collection '" + collection + "' has no snapshot '" + id + "'");
        }
        return dir;
    }

    private Path collectionDir(String collection) {
        return root.resolve(CollectionName.validate(collection));
    }

    private Path snapshotDir(String collection, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw PoiskException.badRequest("'" + id + "' is not a snapshot id; ids look like 20260101t000000000z-0a1b2c");
        }
        return collectionDir(collection).resolve(id);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Override
    public void close() {
        worker.close();
    }
}
