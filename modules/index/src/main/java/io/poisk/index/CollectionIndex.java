package io.poisk.index;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One collection's storage engine: write-ahead log → live JVector segment → immutable on-disk
 * segments, with documents in a Chronicle Map. Thread-safe; every method blocks.
 *
 * <p>This is the façade over the parts that do the work: {@link WritePath} (log appends and their
 * application in log order), {@link SegmentSet} (the segments, where each document lives, search),
 * {@link SegmentMaintenance} (background flush and merge) and {@link ManifestStore} (the durable
 * list of on-disk segments).
 */
public final class CollectionIndex implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CollectionIndex.class);

    private final Path dir;
    private final CollectionSchema schema;
    private final CollectionOptions options;
    private final FilterParser filterParser;
    private final DocumentStore documents;
    private final SegmentSet segments;
    private final WritePath writePath;
    private final ManifestStore manifests;
    private final SegmentMaintenance maintenance;
    private final DiskBudget diskBudget;
    private volatile boolean closed;

    private CollectionIndex(Path dir, CollectionSchema schema, CollectionOptions options, IndexOptions opts,
                            DocumentStore documents, ManifestStore manifests, DiskBudget diskBudget, QuarantineFile quarantine)
            throws IOException {
        this.dir = dir;
        this.diskBudget = diskBudget;
        this.schema = schema;
        this.options = options;
        this.filterParser = new FilterParser(options.fields());
        this.documents = documents;
        this.manifests = manifests;
        this.segments = new SegmentSet(schema.dimension(), opts, new LexicalFields(options));
        Files.createDirectories(dir.resolve("wal"));
        this.writePath = new WritePath(schema, opts, documents, segments,
                new DocumentAdmission(schema.name(), schema.dimension(), opts.maxDocumentBytes(), options.fields()),
                new DiskSpace(schema.name(), opts.minFreeDiskBytes(), dir, dir.resolve("wal")), quarantine);
        this.maintenance = new SegmentMaintenance(schema.name(), schema.dimension(), dir.resolve("segments"), opts,
                documents, segments, writePath, manifests);
    }

    /** Creates a new, empty collection in {@code dir} (which must not hold one yet) with default options. */
    public static CollectionIndex create(Path dir, CollectionSchema schema, IndexOptions opts) throws IOException {
        return create(dir, schema, CollectionOptions.defaults(), opts);
    }

    /** Creates a new, empty collection in {@code dir} (which must not hold one yet): language and declared fields from {@code options}. */
    public static CollectionIndex create(Path dir, CollectionSchema schema, CollectionOptions options, IndexOptions opts)
            throws IOException {
        return create(dir, schema, options, opts, DiskBudget.NONE);
    }

    static CollectionIndex create(Path dir, CollectionSchema schema, CollectionOptions options, IndexOptions opts,
                                  DiskBudget diskBudget) throws IOException {
        CollectionFolder.create(dir, schema, options);
        return open(dir, opts, diskBudget);
    }

    /** Opens an existing collection: loads the manifest's segments and replays the log after them. */
    public static CollectionIndex open(Path dir, IndexOptions opts) throws IOException {
        return open(dir, opts, DiskBudget.NONE);
    }

    static CollectionIndex open(Path dir, IndexOptions opts, DiskBudget diskBudget) throws IOException {
        long t0 = System.nanoTime();
        CollectionSchema schema = CollectionFolder.readSchema(dir);
        CollectionOptions options = CollectionOptions.read(dir);
        ManifestStore manifests = ManifestStore.read(dir);
        QuarantineFile quarantine = QuarantineFile.read(dir);
        DocumentStore documents = DocumentStore.open(dir.resolve("documents"), DocumentStore.INITIAL_ENTRIES);
        CollectionIndex c;
        try {
            c = new CollectionIndex(dir, schema, options, opts, documents, manifests, diskBudget, quarantine);
        } catch (IOException | RuntimeException e) {
            documents.close();
            throw e;
        }
        try {
            c.load(opts);
        } catch (IOException | RuntimeException e) {
            c.releaseFiles();
            throw e;
        }
        String readOnly = c.writePath.readOnlyReason();
        if (readOnly != null) {
            // Serves what it has; no flush or merge may write over (or drop the log behind) a damaged log.
            log.error("collection '{}' opened READ-ONLY: {}", schema.name(), readOnly);
            return c;
        }
        log.info("collection '{}' opened: {} documents, {} segments, {} replayed into the live segment, in {} ms",
                schema.name(), c.documentCount(), c.segmentCount(), c.segments.live().size(), (System.nanoTime() - t0) / 1_000_000);
        c.maintenance.freezeIfFull();
        c.maintenance.scheduleMergeIfNeeded();
        return c;
    }

    private void load(IndexOptions opts) throws IOException {
        Path segmentsDir = dir.resolve("segments");
        Files.createDirectories(segmentsDir);
        Set<String> named = new HashSet<>();
        manifests.current().segments().forEach(e -> named.add(e.name()));
        CollectionFolder.removeOrphanSegments(segmentsDir, named);
        List<DiskSegment> segs = new ArrayList<>();
        try {
            for (Manifest.Entry e : manifests.current().segments()) {
                Path segmentDir = segmentsDir.resolve(e.name());
                if (!SegmentChecksums.verify(segmentDir, e.requiresChecksums())) {
                    log.warn("segment {} predates checksums: only its Lucene files were checked", segmentDir);
                }
                segs.add(DiskSegment.open(segmentDir, e.tombstones(), opts));
            }
        } catch (IOException | RuntimeException e) {
            for (DiskSegment s : segs) s.close();
            throw e;
        }
        segments.loadDisk(segs);
        writePath.openLog(dir.resolve("wal"), manifests.coveredLsn());
        documents.verifyHolds(segments.disk());
    }


    public CollectionSchema schema() {
        return schema;
    }

    /** Language and declared fields. */
    public CollectionOptions options() {
        return options;
    }

    /**
     * Parses a filter in its JSON form against this collection's declared fields (null when empty);
     * an undeclared field or a value of the wrong type is a {@code PoiskException(INVALID_QUERY)}.
     */
    public Filter parseFilter(Map<String, Object> filter) {
        return filterParser.parse(filter);
    }

    Path directory() {
        return dir;
    }

    // ---------------------------------------------------------------- writes

    /**
     * Inserts or replaces documents; returns once they are durable in the log, and then visible.
     * Blocks (then fails OVERLOADED) only while the live segment is full and the previous full one
     * is still being written to disk.
     */
    public void upsert(List<EmbeddedDocument> docs) throws IOException {
        checkOpen();
        if (docs.isEmpty()) return;
        diskBudget.checkRoom("writing to collection '" + schema.name() + "'");
        maintenance.awaitRoomForWrites();
        writePath.upsert(docs);
        maintenance.freezeIfFull();
    }

    /** Deletes a document; true when it existed just before this delete in log order. Durable on return. */
    public boolean delete(String id) throws IOException {
        checkOpen();
        return writePath.delete(id);
    }

    // ---------------------------------------------------------------- reads

    public Optional<Document> get(String id) {
        checkOpen();
        if (id == null || !segments.contains(id)) return Optional.empty();
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
        VectorFloat<?> q = LiveSegment.VTS.createFloatVector(UnitVectors.normalized(query));
        return segments.search(q, k, documents);
    }

    /**
     * Dense, lexical or hybrid search with an optional filter applied inside both searches (graph
     * traversal and the Lucene query), best first. The query vector, when given, must have the
     * collection's dimension.
     */
    public SearchResults search(SearchQuery query) {
        checkOpen();
        return segments.search(query, queryVector(query), documents);
    }

    /**
     * As {@link #search(SearchQuery)}, but ids and scores only: the query's list (fused for hybrid), best
     * first, at most its k, with no document read. {@link #documents} then loads the ones the caller keeps.
     */
    public List<ScoredCandidate> candidates(SearchQuery query) {
        checkOpen();
        return segments.search(query, queryVector(query), null).hits().stream()
                .map(h -> new ScoredCandidate(h.id(), h.score())).toList();
    }

    /** The documents of {@code candidates}, each read once, in their order with their scores; one deleted since is left out. */
    public List<Hit> documents(List<ScoredCandidate> candidates) {
        checkOpen();
        List<Hit> hits = new ArrayList<>(candidates.size());
        for (ScoredCandidate c : candidates) {
            if (!segments.contains(c.id())) continue;
            documents.get(c.id()).map(DocumentCodec::decode).ifPresent(d -> hits.add(new Hit(d.id(), c.score(), d.text(), d.fields())));
        }
        return hits;
    }

    private VectorFloat<?> queryVector(SearchQuery query) {
        if (query.vector() == null || query.mode() == io.poisk.core.SearchMode.LEXICAL) return null;
        if (query.vector().length != schema.dimension()) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "query vector has " + query.vector().length
                    + " dimensions; collection '" + schema.name() + "' takes " + schema.dimension());
        }
        return LiveSegment.VTS.createFloatVector(UnitVectors.normalized(query.vector()));
    }

    public long documentCount() {
        return segments.documentCount();
    }

    /** On-disk segments. */
    public int segmentCount() {
        return segments.disk().size();
    }

    /** Documents (not deleted) in the live in-memory segment. */
    public long liveSegmentDocuments() {
        return segments.live().liveCount();
    }

    // ---------------------------------------------------------------- maintenance

    /** Writes the live segment (and any frozen one) to immutable on-disk segments and drops the log they cover. */
    public void flush() throws IOException {
        checkWritable();
        try {
            maintenance.flush();
        } catch (IOException e) {
            throw fullDiskOr(e, "flushing the live segment");
        }
    }

    /** Compacts every on-disk segment into one, dropping tombstoned documents. */
    public void merge() throws IOException {
        checkWritable();
        try {
            maintenance.merge();
        } catch (IOException e) {
            throw fullDiskOr(e, "merging segments");
        }
    }

    /**
     * Writes a snapshot of this collection into the empty folder {@code target} while writes go on: consistent at
     * the log position it returns (see {@link CollectionSnapshot}). Writers wait only while a few small files are
     * copied (the document map is dumped copy-on-write after they resume); a flush or merge waits only if it is switching its manifest. A read-only collection is refused.
     */
    public SnapshotManifest snapshot(Path target, String id, String created) throws IOException {
        checkWritable();
        Files.createDirectories(target);
        // Files first, then writes: a flush or merge that changes the manifest holds the former, never the latter.
        long[] lsnAndDocuments = manifests.holdingFiles(() -> {
            long t0 = System.nanoTime();
            long[] lsn = new long[1];
            CollectionSnapshot.Paused paused = writePath.paused(at -> {
                lsn[0] = at;
                return CollectionSnapshot.capturePaused(dir, target, documents);
            });
            long heldMs = (System.nanoTime() - t0) / 1_000_000;
            long dumped;
            try {
                dumped = CollectionSnapshot.dumpDocuments(target, documents);
            } finally {
                documents.endDump();
            }
            log.info("collection '{}': snapshot {} at LSN {} held writes for {} ms; {} documents dumped in {} ms while writes went on",
                    schema.name(), id, lsn[0], heldMs, dumped, (System.nanoTime() - t0) / 1_000_000 - heldMs);
            CollectionSnapshot.copyNewestLog(target, paused);
            CollectionSnapshot.linkSegments(dir, target, manifests.current());
            return new long[]{lsn[0], dumped};
        });
        return CollectionSnapshot.seal(target, id, schema, lsnAndDocuments[0], lsnAndDocuments[1], created);
    }

    private IOException fullDiskOr(IOException e, String what) {
        PoiskException full = DiskSpace.fullDiskError(schema.name(), what, e);
        if (full != null) throw full;
        return e;
    }

    /** Why this collection takes no writes (its log is damaged, or applying a record failed), if it does not. */
    public Optional<String> readOnlyReason() {
        return Optional.ofNullable(writePath.readOnlyReason());
    }

    /** The log records replay could not apply, kept in the collection's quarantine file, oldest first. */
    public List<QuarantinedRecord> quarantined() {
        return writePath.quarantined();
    }

    // ---------------------------------------------------------------- lifecycle

    private void checkWritable() {
        checkOpen();
        String reason = writePath.readOnlyReason();
        if (reason != null) {
            throw new PoiskException(ErrorCode.COLLECTION_READ_ONLY, "collection '" + schema.name() + "' is read-only: " + reason);
        }
    }

    private void checkOpen() {
        if (closed) throw new PoiskException(ErrorCode.UNAVAILABLE, "collection '" + schema.name() + "' is closed");
    }

    /** Stops background work and releases files. Unflushed documents stay in the log and are replayed on open. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        maintenance.close(this::releaseFiles);
    }

    private void releaseFiles() {
        closed = true;
        maintenance.close();
        List<AutoCloseable> resources = List.of(writePath, documents, segments);
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                log.warn("closing {} of collection '{}' failed", r, schema.name(), e);
            }
        }
    }

    /** For tests: the on-disk segments. */
    List<DiskSegment> diskSegments() {
        return segments.disk();
    }

    /** For tests: whether a frozen segment is waiting for (or in) its background flush. */
    boolean flushPending() {
        return maintenance.flushPending();
    }
}
