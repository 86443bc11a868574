package io.poisk.index;

import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Document id → stored document bytes, in a persisted Chronicle Map ({@code documents-<gen>-<capacity>.cmap}).
 *
 * <p>Chronicle Map sizes its entries up front, so documents longer than {@link #PIECE_BYTES} are
 * split into pieces stored under private keys, and the map is rebuilt into one twice as large
 * when it fills up (amortised O(1) per put). After an unclean stop (no {@code clean-shutdown}
 * marker) the map is opened with {@code recoverPersistedTo}, which releases segment locks a killed
 * writer left held. Durability comes from the write-ahead log plus {@link #force()} at each flush.
 *
 * <p>A new map holds {@link #INITIAL_ENTRIES} entries (about 0.4 MB) and grows with its documents:
 * Chronicle Map allocates the whole file up front, so sizing it for a full live segment cost every
 * empty collection 50 MB. Recovery does not notice a truncated file (it re-extends it and drops what
 * was cut off), so {@link #verifyHolds} checks the map against the ids the segments hold.
 */
final class DocumentStore implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(DocumentStore.class);
    static final int PIECE_BYTES = 2048;
    private static final double AVERAGE_VALUE_BYTES = 256;
    /** Entries of a new map; each growth doubles it. */
    static final long INITIAL_ENTRIES = 256;
    private static final byte INLINE = 0;
    private static final byte CHUNKED = 1;
    private static final double FILL_LIMIT = 0.75;
    private static final Pattern FILE = Pattern.compile("documents-(\\d+)-(\\d+)\\.cmap");
    private static final String CLEAN_MARKER = "clean-shutdown";

    private final Path dir;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private ChronicleMap<String, byte[]> map;
    /** While a snapshot dumps the map: each changed document's bytes as they were when it began (empty: absent). */
    private volatile Map<String, Optional<byte[]>> beforeImages;
    private Path file;
    private long generation;
    private long capacity;

    private DocumentStore(Path dir) {
        this.dir = dir;
    }

    static DocumentStore open(Path dir, long initialCapacity) throws IOException {
        Files.createDirectories(dir);
        DocumentStore s = new DocumentStore(dir);
        Path marker = dir.resolve(CLEAN_MARKER);
        boolean clean = Files.exists(marker);
        Path newest = null;
        long gen = -1, cap = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".tmp")) {
                    Files.delete(p); // an interrupted rebuild; the previous map is intact
                    continue;
                }
                Matcher m = FILE.matcher(n);
                if (m.matches() && Long.parseLong(m.group(1)) > gen) {
                    if (newest != null) Files.delete(newest);
                    newest = p;
                    gen = Long.parseLong(m.group(1));
                    cap = Long.parseLong(m.group(2));
                } else if (m.matches()) {
                    Files.delete(p); // an older map a finished rebuild did not get to delete
                }
            }
        }
        if (newest == null) {
            s.generation = 0;
            s.capacity = Math.max(INITIAL_ENTRIES, initialCapacity);
            s.file = s.fileFor(s.generation, s.capacity);
            s.map = builder(s.capacity).createPersistedTo(s.file.toFile());
        } else {
            if (Files.size(newest) == 0) throw new IOException(newest + " is empty: the document map was truncated");
            s.generation = gen;
            s.capacity = cap;
            s.file = newest;
            try {
                if (clean) {
                    s.map = builder(cap).createPersistedTo(newest.toFile());
                } else {
                    log.info("document map {} was not closed cleanly; recovering it", newest);
                    s.map = builder(cap).recoverPersistedTo(newest.toFile(), true);
                }
            } catch (IOException | RuntimeException e) {
                throw new IOException("document map " + newest + " cannot be opened (damaged): " + e.getMessage(), e);
            }
        }
        Files.deleteIfExists(marker);
        DurableFiles.fsyncDirectory(dir);
        return s;
    }

    /**
     * The average value size sets Chronicle Map's chunk: every entry takes at least one, however small, and longer
     * values take several (extra tiers, up to the bloat factor, where they are long on average). Measured at 75% of
     * the entries filled, bytes of file per document: 256 gives 532 for 60-byte values (vectors with ids and fields,
     * no text), about 1,200 for 1 KB and 2,600 for 2 KB pieces; 1,024 (what it was) gave 1,762 / 1,762 / 3,525.
     * All-2-KB values fit at 256 up to 2M entries, so the bloat factor of 4 holds the worst case pieces make.
     * Existing maps keep the sizing stored in their files; a map gets this one when it is created or grown.
     */
    private static ChronicleMapBuilder<String, byte[]> builder(long capacity) {
        return ChronicleMapBuilder.of(String.class, byte[].class)
                .name("poisk-documents")
                .entries(capacity)
                .averageKeySize(40)
                .averageValueSize(AVERAGE_VALUE_BYTES)
                .maxBloatFactor(4.0);
    }

    private Path fileFor(long gen, long cap) {
        return dir.resolve("documents-" + gen + "-" + cap + ".cmap");
    }

    private static String pieceKey(String id, int i) {
        return "\u0000" + i + "\u0000" + id;
    }

    /** Stores (or replaces) a document's bytes. Callers serialise writes. */
    void put(String id, byte[] doc) throws IOException {
        keepBeforeImage(id);
        int pieces = doc.length <= PIECE_BYTES ? 0 : (doc.length + PIECE_BYTES - 1) / PIECE_BYTES;
        ensureRoom(pieces + 1);
        byte[] old = map.get(id);
        boolean oldChunked = old != null && old[0] == CHUNKED;
        if (pieces == 0 && !oldChunked) {
            lock.readLock().lock();
            try {
                map.put(id, inline(doc));
            } finally {
                lock.readLock().unlock();
            }
            return;
        }
        lock.writeLock().lock();
        try {
            for (int i = 0; i < pieces; i++) {
                int from = i * PIECE_BYTES;
                byte[] piece = new byte[Math.min(PIECE_BYTES, doc.length - from)];
                System.arraycopy(doc, from, piece, 0, piece.length);
                map.put(pieceKey(id, i), piece);
            }
            map.put(id, pieces == 0 ? inline(doc) : ByteBuffer.allocate(9).put(CHUNKED).putInt(pieces).putInt(doc.length).array());
            if (oldChunked) {
                int oldPieces = ByteBuffer.wrap(old, 1, 8).getInt();
                for (int i = pieces; i < oldPieces; i++) map.remove(pieceKey(id, i));
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static byte[] inline(byte[] doc) {
        byte[] v = new byte[doc.length + 1];
        v[0] = INLINE;
        System.arraycopy(doc, 0, v, 1, doc.length);
        return v;
    }

    Optional<byte[]> get(String id) {
        lock.readLock().lock();
        try {
            byte[] v = map.get(id);
            if (v == null) return Optional.empty();
            if (v[0] == INLINE) return Optional.of(java.util.Arrays.copyOfRange(v, 1, v.length));
            ByteBuffer h = ByteBuffer.wrap(v, 1, 8);
            int pieces = h.getInt();
            int total = h.getInt();
            byte[] doc = new byte[total];
            for (int i = 0; i < pieces; i++) {
                byte[] piece = map.get(pieceKey(id, i));
                if (piece == null) throw new IllegalStateException("document '" + id + "' is missing piece " + i);
                System.arraycopy(piece, 0, doc, i * PIECE_BYTES, piece.length);
            }
            return Optional.of(doc);
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean remove(String id) {
        keepBeforeImage(id);
        lock.writeLock().lock();
        try {
            byte[] old = map.remove(id);
            if (old == null) return false;
            if (old[0] == CHUNKED) {
                int pieces = ByteBuffer.wrap(old, 1, 8).getInt();
                for (int i = 0; i < pieces; i++) map.remove(pieceKey(id, i));
            }
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    boolean contains(String id) {
        lock.readLock().lock();
        try {
            return map.containsKey(id);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Checks that every document live in the on-disk segments is in the map; a miss means the map file
     * was truncated, replaced or deleted, and searches would silently lose those documents.
     */
    void verifyHolds(List<DiskSegment> segments) throws IOException {
        long expected = 0, missing = 0;
        String example = null;
        for (DiskSegment s : segments) {
            for (int o = 0; o < s.size(); o++) {
                if (s.isDeleted(o)) continue;
                expected++;
                if (!contains(s.idAt(o))) {
                    missing++;
                    if (example == null) example = s.idAt(o);
                }
            }
        }
        if (missing > 0) {
            throw new IOException(file + " lacks " + missing + " of the " + expected + " documents the segments hold (e.g. '"
                    + example + "'): the document map was truncated, replaced or deleted");
        }
    }

    /** Map entries (documents plus the pieces of long ones). */
    long entries() {
        return map.longSize();
    }

    long capacity() {
        return capacity;
    }

    /** Document ids (not piece keys); a snapshot. */
    List<String> ids() {
        lock.readLock().lock();
        try {
            List<String> out = new ArrayList<>();
            for (String k : map.keySet()) if (k.isEmpty() || k.charAt(0) != '\u0000') out.add(k);
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Receives one stored document. */
    interface DocumentVisitor {
        void accept(String id, byte[] document) throws IOException;
    }

    /** Writers are serialised (the apply lock), so the first change of an id after the dump began records its old bytes. */
    private void keepBeforeImage(String id) {
        Map<String, Optional<byte[]>> images = beforeImages;
        if (images != null && !images.containsKey(id)) images.put(id, get(id));
    }

    /**
     * Marks the moment a dump describes; call it while writes are held off. From then until {@link #dump} returns,
     * every change keeps the document's earlier bytes, so the dump can run while writes go on (copy on write).
     */
    void beginDump() {
        if (beforeImages != null) throw new IllegalStateException("a dump of the document map is already running");
        beforeImages = new ConcurrentHashMap<>();
    }

    /** Ends a dump that failed before or during {@link #dump}: changes stop keeping earlier bytes. */
    void endDump() {
        beforeImages = null;
    }

    /**
     * Every document (not the pieces of long ones) as it was at {@link #beginDump}, with its whole bytes: a
     * document changed since is given as its kept earlier bytes (or left out when it did not exist then).
     */
    void dump(DocumentVisitor visitor) throws IOException {
        Map<String, Optional<byte[]>> images = beforeImages;
        if (images == null) throw new IllegalStateException("beginDump was not called");
        try {
            Set<String> seen = new HashSet<>();
            for (String id : ids()) {
                seen.add(id);
                Optional<byte[]> kept = images.get(id);
                Optional<byte[]> doc = kept != null ? kept : get(id);
                // A change between the read and now kept the earlier bytes first: those are the ones to give.
                Optional<byte[]> since = images.get(id);
                if (since != null) doc = since;
                if (doc.isPresent()) visitor.accept(id, doc.get());
            }
            for (Map.Entry<String, Optional<byte[]>> e : images.entrySet()) { // deleted since the dump began
                if (!seen.contains(e.getKey()) && e.getValue().isPresent()) visitor.accept(e.getKey(), e.getValue().get());
            }
        } finally {
            beforeImages = null;
        }
    }

    /** Grows the map (rebuild into one of double capacity) when {@code more} entries would overfill it. */
    private void ensureRoom(int more) throws IOException {
        long needed = map.longSize() + more;
        if (needed <= capacity * FILL_LIMIT) return;
        lock.writeLock().lock();
        try {
            needed = map.longSize() + more;
            if (needed <= capacity * FILL_LIMIT) return;
            long newCapacity = capacity;
            while (needed > newCapacity * FILL_LIMIT) newCapacity *= 2;
            long t0 = System.nanoTime();
            long newGen = generation + 1;
            Path target = fileFor(newGen, newCapacity);
            Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try (ChronicleMap<String, byte[]> bigger = builder(newCapacity).createPersistedTo(tmp.toFile())) {
                map.forEach(bigger::put);
            }
            DurableFiles.fsync(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.fsyncDirectory(dir);
            ChronicleMap<String, byte[]> old = map;
            Path oldFile = file;
            map = builder(newCapacity).createPersistedTo(target.toFile());
            file = target;
            generation = newGen;
            capacity = newCapacity;
            old.close();
            Files.deleteIfExists(oldFile);
            DurableFiles.fsyncDirectory(dir);
            log.info("document map grown to {} entries ({} in use) in {} ms", newCapacity, map.longSize(),
                    (System.nanoTime() - t0) / 1_000_000);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Forces the map's memory-mapped pages to the device (at flush, before log files are deleted). */
    void force() throws IOException {
        lock.readLock().lock();
        try {
            DurableFiles.fsync(file);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() throws IOException {
        lock.writeLock().lock();
        try {
            if (map == null || map.isClosed()) return;
            map.close();
            DurableFiles.fsync(file);
            Files.createFile(dir.resolve(CLEAN_MARKER));
            DurableFiles.fsyncDirectory(dir);
        } finally {
            lock.writeLock().unlock();
        }
    }
}
