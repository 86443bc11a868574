package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The files of a collection snapshot, and their way back into a collection.
 *
 * <p>A snapshot folder is laid out like a collection folder at one log position L: {@code collection.json},
 * {@code options.json}, {@code manifest.json} and the on-disk segments it names (hard links: segment files never
 * change once written, and a link keeps a file a later merge deletes), the log files after the manifest's
 * coverage up to L (the live and frozen segments' part: a restore replays them), {@code documents.bin} (the
 * document map at L) and {@code snapshot.json} ({@link SnapshotManifest}: L, schema, every file's CRC32C).
 * Nothing is flushed for a snapshot: the log after the last flush is copied (a restore replays it). Writers wait
 * only while the small files are copied and the dump begins; the map is dumped while they go on (copy on write).
 */
public final class CollectionSnapshot {
    private static final Logger log = LoggerFactory.getLogger(CollectionSnapshot.class);
    private static final String TOMBSTONES = "tombstones-";

    private CollectionSnapshot() {
    }

    /** What the paused part noted: the newest log file and its length at L. */
    record Paused(Path newestLog, long newestLogBytes) {
    }

    /**
     * Under the paused write path, only what is cheap: the small files are copied, older log files (they never
     * change) linked, the newest one measured, and the document map's dump begun (copy on write from here on).
     */
    static Paused capturePaused(Path source, Path target, DocumentStore documents) throws IOException {
        for (String f : List.of(CollectionFolder.SCHEMA_FILE, CollectionOptions.FILE, Manifest.FILE)) {
            Files.copy(source.resolve(f), target.resolve(f));
        }
        Path wal = Files.createDirectories(target.resolve("wal"));
        List<Path> logs = WriteAheadLog.logFiles(source.resolve("wal"));
        for (int i = 0; i < logs.size() - 1; i++) linkOrCopy(logs.get(i), wal.resolve(logs.get(i).getFileName().toString()));
        Path newest = logs.isEmpty() ? null : logs.getLast();
        long newestBytes = newest == null ? 0 : Files.size(newest);
        documents.beginDump();
        return new Paused(newest, newestBytes);
    }

    /** After writes resumed: the document map as it was at L, into {@code documents.bin}; returns how many documents. */
    static long dumpDocuments(Path target, DocumentStore documents) throws IOException {
        return SnapshotDocuments.write(target.resolve(SnapshotDocuments.FILE), documents);
    }

    /**
     * Copies the newest log file up to its length at L, after writes resumed: a log file only grows past that (a
     * failed write is cut back to its last durable frame, which is beyond it), and the manifest file lock the caller
     * still holds keeps it from being deleted as covered.
     */
    static void copyNewestLog(Path target, Paused paused) throws IOException {
        if (paused.newestLog() == null) return;
        Path to = target.resolve("wal").resolve(paused.newestLog().getFileName().toString());
        try (FileChannel in = FileChannel.open(paused.newestLog(), StandardOpenOption.READ);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < paused.newestLogBytes()) {
                long n = in.transferTo(done, paused.newestLogBytes() - done, out);
                if (n <= 0) throw new IOException(paused.newestLog() + " is shorter than the " + paused.newestLogBytes() + " bytes it had");
                done += n;
            }
        }
    }

    /** With flushes and merges held off: links the segment files the manifest names (its tombstone file, not older ones). */
    static void linkSegments(Path source, Path target, Manifest manifest) throws IOException {
        for (Manifest.Entry e : manifest.segments()) {
            Path from = source.resolve("segments").resolve(e.name());
            Path to = target.resolve("segments").resolve(e.name());
            try (Stream<Path> files = Files.walk(from)) {
                for (Path p : files.toList()) {
                    Path rel = from.relativize(p);
                    Path dest = to.resolve(rel.toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                        continue;
                    }
                    String name = p.getFileName().toString();
                    if (name.startsWith(TOMBSTONES) && !name.equals(e.tombstones())) continue;
                    if (name.endsWith(".tmp")) continue;
                    linkOrCopy(p, dest);
                }
            }
        }
        Files.createDirectories(target.resolve("segments"));
    }

    /** Lists every file with its checksum and writes {@code snapshot.json}; the snapshot is complete once it exists. */
    static SnapshotManifest seal(Path target, String id, CollectionSchema schema, long lsn, long documents, String created)
            throws IOException {
        List<SnapshotManifest.FileSum> sums = new ArrayList<>();
        try (Stream<Path> files = Files.walk(target)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                String rel = relative(target, p);
                if (rel.equals(SnapshotManifest.FILE)) continue;
                sums.add(new SnapshotManifest.FileSum(rel, Files.size(p), crc32c(p)));
            }
        }
        SnapshotManifest m = new SnapshotManifest(id, schema, lsn, documents, created, sums);
        DurableFiles.fsyncTree(target);
        VersionedJson.write(target.resolve(SnapshotManifest.FILE), FileFormat.SNAPSHOT, m);
        return m;
    }

    /** Reads {@code snapshot.json} (its format version checked) without checking the files. */
    public static SnapshotManifest read(Path dir) throws IOException {
        Path file = dir.resolve(SnapshotManifest.FILE);
        return VersionedJson.read(file, FileFormat.SNAPSHOT).as(SnapshotManifest.class, file);
    }

    /**
     * Checks a snapshot folder before anything is installed from it: its manifest reads, every file it lists is
     * there with its length and CRC32C, and there is no other file. Anything else is a BAD_REQUEST naming the file.
     */
    public static SnapshotManifest verify(Path dir) {
        try {
            SnapshotManifest m = read(dir);
            Set<String> listed = new HashSet<>();
            for (SnapshotManifest.FileSum f : m.files()) {
                Path p = inside(dir, f.path());
                if (!Files.isRegularFile(p)) throw new IOException(f.path() + " is missing");
                if (Files.size(p) != f.bytes()) throw new IOException(f.path() + " has " + Files.size(p) + " bytes, the manifest says " + f.bytes());
                if (!crc32c(p).equals(f.crc32c())) throw new IOException(f.path() + " fails its checksum");
                listed.add(f.path());
            }
            for (String required : List.of(CollectionFolder.SCHEMA_FILE, CollectionOptions.FILE, Manifest.FILE, SnapshotDocuments.FILE)) {
                if (!listed.contains(required)) throw new IOException("it lacks " + required);
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    String rel = relative(dir, p);
                    if (!rel.equals(SnapshotManifest.FILE) && !listed.contains(rel)) throw new IOException(rel + " is not in its manifest");
                }
            }
            return m;
        } catch (IOException | RuntimeException e) {
            throw new PoiskException(ErrorCode.BAD_REQUEST, "the snapshot is damaged or incomplete: " + e.getMessage(), e);
        }
    }

    /**
     * Builds collection {@code name} in {@code dir} from a verified snapshot: marked as an unfinished create until
     * its schema (renamed) is written last, segments linked, log files and small files copied, the document map
     * rebuilt from {@code documents.bin}. Opening it then replays the copied log.
     */
    static void install(Path snapshot, Path dir, String name, SnapshotManifest m) throws IOException {
        Files.createDirectories(dir);
        DurableFiles.writeAtomically(dir.resolve(CollectionFolder.CREATING_MARKER), new byte[0]);
        DurableFiles.fsyncDirectory(dir.getParent());
        for (SnapshotManifest.FileSum f : m.files()) {
            Path from = inside(snapshot, f.path());
            Path to = inside(dir, f.path());
            if (f.path().equals(CollectionFolder.SCHEMA_FILE) || f.path().equals(SnapshotDocuments.FILE)) continue;
            Files.createDirectories(to.getParent());
            // Log files are appended to by the new collection: copies. Segment files never change: links.
            if (f.path().startsWith("segments/")) linkOrCopy(from, to);
            else Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.createDirectories(dir.resolve("segments"));
        Files.createDirectories(dir.resolve("wal"));
        long capacity = DocumentStore.INITIAL_ENTRIES;
        while (capacity * 0.7 < m.documents()) capacity *= 2;
        try (DocumentStore documents = DocumentStore.open(dir.resolve("documents"), capacity)) {
            long read = SnapshotDocuments.read(snapshot.resolve(SnapshotDocuments.FILE), documents);
            if (read != m.documents()) {
                throw new IOException("documents.bin holds " + read + " documents, the snapshot says " + m.documents());
            }
            documents.force();
        }
        CollectionSchema old = CollectionFolder.readSchema(snapshot);
        DurableFiles.fsyncTree(dir);
        VersionedJson.write(dir.resolve(CollectionFolder.SCHEMA_FILE), FileFormat.SCHEMA,
                new CollectionSchema(name, old.model(), old.dimension(), old.similarity()));
        Files.delete(dir.resolve(CollectionFolder.CREATING_MARKER));
        DurableFiles.fsyncDirectory(dir);
        log.info("collection '{}' restored from snapshot {} of '{}' at LSN {} ({} documents)", name, m.id(), m.collection(),
                m.lsn(), m.documents());
    }

    /** A hard link where the file system allows one (same device), else a copy. */
    static void linkOrCopy(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (Files.exists(to)) throw e;
            Files.copy(from, to);
        }
    }

    /** {@code rel} resolved under {@code dir}; a path that would leave it (absolute, {@code ..}) is refused. */
    static Path inside(Path dir, String rel) throws IOException {
        Path p = dir.resolve(rel).normalize();
        if (rel.isEmpty() || rel.startsWith("/") || rel.contains("\\") || !p.startsWith(dir.normalize()) || p.equals(dir.normalize())) {
            throw new IOException("'" + rel + "' is not a path inside the snapshot");
        }
        return p;
    }

    private static String relative(Path dir, Path p) {
        return dir.relativize(p).toString().replace(java.io.File.separatorChar, '/');
    }

    static String crc32c(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return String.format("%08x", crc.getValue());
    }
}
