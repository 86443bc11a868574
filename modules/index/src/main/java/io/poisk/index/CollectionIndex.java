package io.poisk.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.DocumentCodec;
import io.poisk.core.ErrorCode;
import io.poisk.core.Hit;
import io.poisk.core.PoiskException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * One collection's storage engine: write-ahead log → live JVector segment → immutable on-disk
 * segments, with documents in a Chronicle Map. Thread-safe; every method blocks.
 *
 * <p>Write path: a writer appends its records under {@code appendLock}, waits for the group-commit
 * fsync, then the records are applied to memory in log order under {@code applyLock} (whoever
 * holds it applies every durable pending record). Nothing in memory ever reflects a record that is
 * not durable, so any state written later (segments, tombstones) is safe to replay over.
 *
 * <p>Flush and merge are serialised by {@code maintenanceLock}; they swap segment lists under the
 * write side of {@code searchLock}, so segments are only closed when no search uses them.
 */
public final class CollectionIndex implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CollectionIndex.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SCHEMA_FILE = "collection.json";
    private static final int REPLAY_BATCH = 512;

    /** Where a document's vector lives now. */
    private record Location(Segment segment, int ordinal) {
    }

    private final Path dir;
    private final Path segmentsDir;
    private final CollectionSchema schema;
    private final IndexOptions opts;
    private final DocumentStore documents;
    private WriteAheadLog wal;

    private final ReentrantLock appendLock = new ReentrantLock();
    private final ReentrantLock applyLock = new ReentrantLock();
    private final ReentrantLock maintenanceLock = new ReentrantLock();
    private final ReentrantReadWriteLock searchLock = new ReentrantReadWriteLock();
    private final ConcurrentLinkedQueue<WalRecord> pending = new ConcurrentLinkedQueue<>();
    private final Map<String, Location> locations = new ConcurrentHashMap<>();
    private long appliedLsn;

    private volatile LiveSegment live;
    private volatile LiveSegment flushing;
    private volatile List<DiskSegment> disk = List.of();
    private Manifest manifest;

    private final ExecutorService maintenance;
    private final AtomicBoolean maintenanceQueued = new AtomicBoolean();
    private volatile boolean closed;

    private CollectionIndex(Path dir, CollectionSchema schema, IndexOptions opts, DocumentStore documents) {
        this.dir = dir;
        this.segmentsDir = dir.resolve("segments");
        this.schema = schema;
        this.opts = opts;
        this.documents = documents;
        this.maintenance = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "poisk-maintenance-" + schema.name());
            t.setDaemon(true);
            return t;
        });
    }

    /** Creates a new, empty collection in {@code dir} (which must not hold one yet). */
    public static CollectionIndex create(Path dir, CollectionSchema schema, IndexOptions opts) throws IOException {
        if (Files.exists(dir.resolve(SCHEMA_FILE))) {
            throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "collection '" + schema.name() + "' already exists in " + dir);
        }
        if (!CollectionSchema.COSINE.equals(schema.similarity())) {
            throw PoiskException.badRequest("similarity '" + schema.similarity() + "' is not supported; accepted: cosine");
        }
        Files.createDirectories(dir.resolve("segments"));
        Files.createDirectories(dir.resolve("wal"));
        Manifest.empty().write(dir);
        // The schema goes last: a folder without it is an unfinished create and is not a collection.
        DurableFiles.writeAtomically(dir.resolve(SCHEMA_FILE), JSON.writeValueAsBytes(schema));
        DurableFiles.fsyncDirectory(dir.getParent());
        return open(dir, opts);
    }

    /** Opens an existing collection: loads the manifest's segments and replays the log after them. */
    public static CollectionIndex open(Path dir, IndexOptions opts) throws IOException {
        long t0 = System.nanoTime();
        CollectionSchema schema = readSchema(dir);
        DocumentStore documents = DocumentStore.open(dir.resolve("documents"), 2L * opts.liveSegmentMaxDocs());
        CollectionIndex c = new CollectionIndex(dir, schema, opts, documents);
        try {
            c.load();
        } catch (IOException | RuntimeException e) {
            c.closeQuietly();
            throw e;
        }
        log.info("collection '{}' opened: {} documents, {} segments, {} replayed into the live segment, in {} ms",
                schema.name(), c.documentCount(), c.segmentCount(), c.live.size(), (System.nanoTime() - t0) / 1_000_000);
        c.flushIfFull();
        c.scheduleMergeIfNeeded();
        return c;
    }

    static CollectionSchema readSchema(Path dir) throws IOException {
        return JSON.readValue(Files.readAllBytes(dir.resolve(SCHEMA_FILE)), CollectionSchema.class);
    }

    private void load() throws IOException {
        manifest = Manifest.read(dir);
        Files.createDirectories(segmentsDir);
        removeOrphanSegments();
        List<DiskSegment> segs = new ArrayList<>();
        for (Manifest.Entry e : manifest.segments()) {
            DiskSegment s = DiskSegment.open(segmentsDir.resolve(e.name()), e.tombstones(), opts);
            segs.add(s);
            for (int o = 0; o < s.size(); o++) {
                if (s.isDeleted(o)) continue;
                Location prev = locations.put(s.idAt(o), new Location(s, o));
                if (prev != null) { // cannot happen with tombstones persisted together with segments
                    log.warn("document '{}' is live in {} and {}; keeping the latter", s.idAt(o), prev.segment().name(), s.name());
                    prev.segment().markDeleted(prev.ordinal());
                }
            }
        }
        disk = List.copyOf(segs);
        live = newLiveSegment();
        appliedLsn = manifest.coveredLsn();
        List<WalRecord> batch = new ArrayList<>();
        wal = WriteAheadLog.open(dir.resolve("wal"), manifest.coveredLsn(), maxRecordBytes(), opts.walGroupCommitMs(), rec -> {
            batch.add(rec);
            if (batch.size() >= REPLAY_BATCH) {
                applyReplayed(batch);
                batch.clear();
            }
        });
        applyReplayed(batch);
    }

    private void applyReplayed(List<WalRecord> batch) {
        if (batch.isEmpty()) return;
        try {
            apply(batch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        appliedLsn = batch.getLast().lsn();
    }

    private void removeOrphanSegments() throws IOException {
        Set<String> named = new HashSet<>();
        manifest.segments().forEach(e -> named.add(e.name()));
        try (Stream<Path> s = Files.list(segmentsDir)) {
            for (Path p : s.toList()) {
                if (!named.contains(p.getFileName().toString())) {
                    log.info("removing {}: not named by the manifest (an interrupted flush or merge)", p);
                    DurableFiles.deleteTree(p);
                }
            }
        }
    }

    private int maxRecordBytes() {
        return 2 * opts.maxDocumentBytes() + 4 * schema.dimension() + 1024;
    }

    private LiveSegment newLiveSegment() {
        return new LiveSegment("live", schema.dimension(), opts);
    }

    public CollectionSchema schema() {
        return schema;
    }

    Path directory() {
        return dir;
    }

    // ---------------------------------------------------------------- writes

    /** Inserts or replaces documents; returns once they are durable in the log, and then visible. */
    public void upsert(List<EmbeddedDocument> docs) throws IOException {
        checkOpen();
        if (docs.isEmpty()) return;
        List<byte[]> encoded = new ArrayList<>(docs.size());
        for (EmbeddedDocument d : docs) encoded.add(validate(d));
        long last;
        appendLock.lock();
        try {
            checkOpen();
            last = -1;
            for (int i = 0; i < docs.size(); i++) {
                EmbeddedDocument d = docs.get(i);
                WalRecord rec = new WalRecord.Upsert(wal.nextLsn(), d.document().id(), encoded.get(i), d.vector().clone());
                wal.append(rec);
                pending.add(rec);
                last = rec.lsn();
            }
        } finally {
            appendLock.unlock();
        }
        commit(last);
        flushIfFull();
    }

    /** Deletes a document; true when it existed. Durable on return. */
    public boolean delete(String id) throws IOException {
        checkOpen();
        validateId(id);
        long lsn;
        boolean existed;
        appendLock.lock();
        try {
            checkOpen();
            existed = locations.containsKey(id) || pendingUpsertOf(id);
            WalRecord rec = new WalRecord.Delete(wal.nextLsn(), id);
            wal.append(rec);
            pending.add(rec);
            lsn = rec.lsn();
        } finally {
            appendLock.unlock();
        }
        commit(lsn);
        return existed;
    }

    private boolean pendingUpsertOf(String id) {
        boolean present = false;
        for (WalRecord r : pending) if (r.id().equals(id)) present = r instanceof WalRecord.Upsert;
        return present;
    }

    private byte[] validate(EmbeddedDocument d) {
        validateId(d.document().id());
        float[] v = d.vector();
        if (v.length != schema.dimension()) {
            throw new IllegalArgumentException("vector of document '" + d.document().id() + "' has " + v.length
                    + " dimensions; collection '" + schema.name() + "' takes " + schema.dimension());
        }
        for (float f : v) {
            if (!Float.isFinite(f)) throw new IllegalArgumentException("vector of document '" + d.document().id() + "' is not finite");
        }
        byte[] bytes = DocumentCodec.encode(d.document());
        if (bytes.length > opts.maxDocumentBytes()) {
            throw new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE, "document '" + d.document().id() + "' takes " + bytes.length
                    + " bytes stored; at most " + opts.maxDocumentBytes() + " are accepted");
        }
        return bytes;
    }

    private static void validateId(String id) {
        if (id == null || id.isEmpty()) throw new PoiskException(ErrorCode.INVALID_DOCUMENT, "document id must be a non-empty string");
        if (id.indexOf('\u0000') >= 0) throw new PoiskException(ErrorCode.INVALID_DOCUMENT, "document id must not contain NUL characters");
    }

    /** Waits for the group-commit fsync, then applies every durable pending record up to {@code lsn} in log order. */
    private void commit(long lsn) throws IOException {
        wal.awaitDurable(lsn);
        applyLock.lock();
        try {
            if (appliedLsn >= lsn) return;
            List<WalRecord> batch = new ArrayList<>();
            for (WalRecord r = pending.peek(); r != null && r.lsn() <= lsn; r = pending.peek()) batch.add(pending.poll());
            apply(batch);
            if (!batch.isEmpty()) appliedLsn = batch.getLast().lsn();
        } finally {
            applyLock.unlock();
        }
    }

    /** Applies records in order to the location table, the document map and the live segment. */
    private void apply(List<WalRecord> batch) throws IOException {
        LiveSegment target = live;
        int[] added = new int[batch.size()];
        int n = 0;
        for (WalRecord r : batch) {
            switch (r) {
                case WalRecord.Upsert u -> {
                    Location old = locations.get(u.id());
                    if (old != null) old.segment().markDeleted(old.ordinal());
                    int ordinal = target.add(u.id(), u.vector());
                    locations.put(u.id(), new Location(target, ordinal));
                    documents.put(u.id(), u.document());
                    added[n++] = ordinal;
                }
                case WalRecord.Delete d -> {
                    Location old = locations.remove(d.id());
                    if (old != null) old.segment().markDeleted(old.ordinal());
                    documents.remove(d.id());
                }
            }
        }
        target.insert(java.util.Arrays.copyOf(added, n));
    }

    // ---------------------------------------------------------------- reads

    public Optional<Document> get(String id) {
        checkOpen();
        if (id == null || !locations.containsKey(id)) return Optional.empty();
        return documents.get(id).map(DocumentCodec::decode);
    }

    /** The {@code k} documents most similar (cosine) to {@code query} over every segment, best first. */
    public List<Hit> search(float[] query, int k) {
        checkOpen();
        if (query.length != schema.dimension()) {
            throw new IllegalArgumentException("query vector has " + query.length + " dimensions; collection '"
                    + schema.name() + "' takes " + schema.dimension());
        }
        if (k <= 0) return List.of();
        VectorFloat<?> q = LiveSegment.VTS.createFloatVector(query.clone());
        List<Segment.ScoredId> all = new ArrayList<>();
        List<Segment> sources = new ArrayList<>();
        searchLock.readLock().lock();
        try {
            List<Segment> segments = new ArrayList<>(disk);
            LiveSegment f = flushing;
            if (f != null) segments.add(f);
            segments.add(live);
            for (Segment s : segments) {
                for (Segment.ScoredId hit : s.search(q, k)) {
                    all.add(hit);
                    sources.add(s);
                }
            }
            Integer[] order = new Integer[all.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> all.get(i).cosine()).reversed());
            List<Hit> hits = new ArrayList<>(k);
            Set<String> seen = new HashSet<>();
            for (int i : order) {
                if (hits.size() == k) break;
                Segment.ScoredId h = all.get(i);
                if (sources.get(i).isDeleted(h.ordinal()) || !seen.add(h.id())) continue;
                Optional<byte[]> bytes = documents.get(h.id());
                if (bytes.isEmpty()) continue; // deleted while the search ran
                Document d = DocumentCodec.decode(bytes.get());
                hits.add(new Hit(d.id(), h.cosine(), d.text(), d.fields()));
            }
            return hits;
        } finally {
            searchLock.readLock().unlock();
        }
    }

    public long documentCount() {
        return locations.size();
    }

    /** On-disk segments. */
    public int segmentCount() {
        return disk.size();
    }

    /** Documents (not deleted) in the live in-memory segment. */
    public long liveSegmentDocuments() {
        return live.liveCount();
    }

    // ---------------------------------------------------------------- flush

    /** Writes the live segment to an immutable on-disk segment and drops the log it covers. */
    public void flush() throws IOException {
        checkOpen();
        maintenanceLock.lock();
        try {
            flushLocked();
        } finally {
            maintenanceLock.unlock();
        }
    }

    private void flushIfFull() throws IOException {
        if (closed || live.size() < opts.liveSegmentMaxDocs()) return;
        if (maintenanceLock.tryLock()) {
            try {
                if (!closed && live.size() >= opts.liveSegmentMaxDocs()) flushLocked();
            } finally {
                maintenanceLock.unlock();
            }
        } else {
            submitMaintenance(); // a merge is running; the maintenance thread flushes after it
        }
    }

    private void flushLocked() throws IOException {
        long t0 = System.nanoTime();
        LiveSegment frozen = null;
        long cut;
        appendLock.lock();
        try {
            commit(wal.lastLsn());
            applyLock.lock();
            try {
                cut = appliedLsn;
                if (cut == manifest.coveredLsn()) return; // nothing new since the last flush
                if (live.size() > 0) {
                    frozen = live;
                    flushing = frozen;
                    live = newLiveSegment();
                }
                wal.roll();
            } finally {
                applyLock.unlock();
            }
        } finally {
            appendLock.unlock();
        }
        String written = null;
        if (frozen != null) {
            GraphIndexBuilder builder = frozen.freeze();
            builder.cleanup();
            String name = nextSegmentName();
            Map<Integer, Integer> oldToNew = SegmentWriter.write(segmentsDir, name, builder.getGraph(), frozen.vectors(),
                    frozen::idAt, opts);
            DiskSegment seg = DiskSegment.open(segmentsDir.resolve(name), null, opts);
            applyLock.lock();
            searchLock.writeLock().lock();
            try {
                for (var e : oldToNew.entrySet()) {
                    int oldOrd = e.getKey(), newOrd = e.getValue();
                    String id = frozen.idAt(oldOrd);
                    Location loc = locations.get(id);
                    if (loc != null && loc.segment() == frozen && loc.ordinal() == oldOrd) {
                        locations.put(id, new Location(seg, newOrd));
                    } else {
                        seg.markDeleted(newOrd); // replaced or deleted while it was being written
                    }
                }
                List<DiskSegment> next = new ArrayList<>(disk);
                next.add(seg);
                disk = List.copyOf(next);
                flushing = null;
            } finally {
                searchLock.writeLock().unlock();
                applyLock.unlock();
            }
            frozen.close();
            written = name;
        }
        documents.force();
        writeManifest(cut);
        wal.deleteCovered(cut);
        log.info("collection '{}' flushed {} up to LSN {} in {} ms", schema.name(), written == null ? "tombstones" : written,
                cut, (System.nanoTime() - t0) / 1_000_000);
        scheduleMergeIfNeeded();
    }

    private String nextSegmentName() {
        long id = manifest.nextSegmentId();
        manifest = new Manifest(manifest.generation(), manifest.coveredLsn(), id + 1, manifest.segments());
        return String.format("seg-%08d", id);
    }

    /** Persists changed tombstones and writes the manifest for the current on-disk segments. Under maintenanceLock. */
    private void writeManifest(long coveredLsn) throws IOException {
        long gen = manifest.generation() + 1;
        List<DiskSegment> segs = disk;
        List<Manifest.Entry> entries = new ArrayList<>();
        List<DiskSegment.PersistedTombstones> persisted = new ArrayList<>();
        for (DiskSegment s : segs) {
            DiskSegment.PersistedTombstones t = s.persistTombstones(gen);
            persisted.add(t);
            entries.add(new Manifest.Entry(s.name(), s.size(), t.file()));
        }
        Manifest m = new Manifest(gen, coveredLsn, manifest.nextSegmentId(), entries);
        m.write(dir);
        manifest = m;
        for (int i = 0; i < segs.size(); i++) segs.get(i).tombstonesPersisted(persisted.get(i).file(), persisted.get(i).count());
    }

    // ---------------------------------------------------------------- merge

    /** Compacts every on-disk segment into one, dropping tombstoned documents. */
    public void merge() throws IOException {
        checkOpen();
        maintenanceLock.lock();
        try {
            List<DiskSegment> segs = disk;
            boolean worthIt = segs.size() > 1 || segs.stream().anyMatch(s -> s.deletedCount() > 0);
            if (worthIt) mergeLocked(segs);
        } finally {
            maintenanceLock.unlock();
        }
    }

    private void scheduleMergeIfNeeded() {
        if (!closed && disk.size() > opts.mergeMaxSegments()) submitMaintenance();
    }

    private void submitMaintenance() {
        if (closed || !maintenanceQueued.compareAndSet(false, true)) return;
        maintenance.execute(() -> {
            maintenanceQueued.set(false);
            maintenanceLock.lock();
            try {
                if (closed) return;
                List<DiskSegment> segs = disk;
                if (segs.size() > opts.mergeMaxSegments()) {
                    // Merge the smallest segments, just enough of them to get back under the limit.
                    List<DiskSegment> bySize = new ArrayList<>(segs);
                    bySize.sort(Comparator.comparingInt(DiskSegment::liveCount));
                    mergeLocked(bySize.subList(0, Math.max(2, segs.size() - opts.mergeMaxSegments() + 1)));
                }
                if (live.size() >= opts.liveSegmentMaxDocs()) flushLocked();
            } catch (Throwable t) {
                log.error("background maintenance of collection '{}' failed", schema.name(), t);
            } finally {
                maintenanceLock.unlock();
            }
        });
    }

    private void mergeLocked(List<DiskSegment> chosen) throws IOException {
        long t0 = System.nanoTime();
        List<VectorFloat<?>> vectors = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<DiskSegment> sourceSegment = new ArrayList<>();
        List<Integer> sourceOrdinal = new ArrayList<>();
        for (DiskSegment s : chosen) {
            try (var view = s.openView()) {
                for (int o = 0; o < s.size(); o++) {
                    if (s.isDeleted(o)) continue;
                    vectors.add(LiveSegment.VTS.createFloatVector(s.vector(view, o)));
                    ids.add(s.idAt(o));
                    sourceSegment.add(s);
                    sourceOrdinal.add(o);
                }
            }
        }
        DiskSegment merged = null;
        String name = null;
        if (!vectors.isEmpty()) {
            var ravv = new ListRandomAccessVectorValues(vectors, schema.dimension());
            try (var builder = new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(ravv, LiveSegment.SIMILARITY),
                    schema.dimension(), opts.graphDegree(), opts.constructionBeam(), 1.2f, 1.2f, true, true)) {
                ImmutableGraphIndex graph = builder.build(ravv);
                name = nextSegmentName();
                Map<Integer, Integer> oldToNew = SegmentWriter.write(segmentsDir, name, graph, ravv, ids::get, opts);
                merged = DiskSegment.open(segmentsDir.resolve(name), null, opts);
                swapMerged(chosen, merged, oldToNew, sourceSegment, sourceOrdinal);
            }
        } else {
            swapMerged(chosen, null, Map.of(), sourceSegment, sourceOrdinal);
        }
        writeManifest(manifest.coveredLsn());
        for (DiskSegment s : chosen) {
            s.close();
            DurableFiles.deleteTree(s.dir());
        }
        DurableFiles.fsyncDirectory(segmentsDir);
        log.info("collection '{}' merged {} segments into {} ({} documents) in {} ms", schema.name(), chosen.size(),
                name, vectors.size(), (System.nanoTime() - t0) / 1_000_000);
    }

    private void swapMerged(List<DiskSegment> chosen, DiskSegment merged, Map<Integer, Integer> oldToNew,
                            List<DiskSegment> sourceSegment, List<Integer> sourceOrdinal) {
        applyLock.lock();
        searchLock.writeLock().lock();
        try {
            for (var e : oldToNew.entrySet()) {
                int src = e.getKey(), newOrd = e.getValue();
                DiskSegment s = sourceSegment.get(src);
                int o = sourceOrdinal.get(src);
                Location loc = locations.get(s.idAt(o));
                if (loc != null && loc.segment() == s && loc.ordinal() == o) {
                    locations.put(s.idAt(o), new Location(merged, newOrd));
                } else {
                    merged.markDeleted(newOrd); // deleted or replaced during the merge
                }
            }
            List<DiskSegment> next = new ArrayList<>();
            for (DiskSegment s : disk) if (!chosen.contains(s)) next.add(s);
            if (merged != null) next.add(merged);
            disk = List.copyOf(next);
        } finally {
            searchLock.writeLock().unlock();
            applyLock.unlock();
        }
    }

    // ---------------------------------------------------------------- lifecycle

    private void checkOpen() {
        if (closed) throw new PoiskException(ErrorCode.UNAVAILABLE, "collection '" + schema.name() + "' is closed");
    }

    /** Stops background work and releases files. Unflushed documents stay in the log and are replayed on open. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        maintenance.shutdown();
        try {
            if (!maintenance.awaitTermination(10, TimeUnit.MINUTES)) log.warn("maintenance of '{}' did not stop", schema.name());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        maintenanceLock.lock();
        appendLock.lock();
        try {
            closeQuietly();
        } finally {
            appendLock.unlock();
            maintenanceLock.unlock();
        }
    }

    private void closeQuietly() {
        closed = true;
        maintenance.shutdownNow();
        List<AutoCloseable> resources = new ArrayList<>();
        if (wal != null) resources.add(wal);
        resources.add(documents);
        if (live != null) resources.add(live);
        if (flushing != null) resources.add(flushing);
        resources.addAll(disk);
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                log.warn("closing {} of collection '{}' failed", r, schema.name(), e);
            }
        }
    }

    /** For tests and diagnostics: live-document counts per on-disk segment. */
    Map<String, Integer> segmentLiveCounts() {
        Map<String, Integer> out = new HashMap<>();
        for (DiskSegment s : disk) out.put(s.name(), s.liveCount());
        return out;
    }

    /** For tests: whether the on-disk segments use fused PQ. */
    List<Boolean> segmentsWithFusedPq() {
        return disk.stream().map(DiskSegment::hasFusedPq).toList();
    }
}
