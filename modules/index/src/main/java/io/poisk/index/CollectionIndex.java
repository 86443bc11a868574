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
import java.util.Iterator;
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
    /** Ids an export takes from the segments per step; the documents are read after the segments are let go. */
    private static final int ID_PAGE = 256;

    private final Path dir;
    private final CollectionSchema schema;
    private final VectorSpace space;
    /** Replaced together when a typed field is declared (see {@link #addField}). */
    private volatile CollectionOptions options;
    private volatile FilterParser filterParser;
    private final IndexOptions indexOptions;
    private final DocumentStore documents;
    private final SegmentSet segments;
    private final Snippets snippets;
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
        this.space = VectorSpace.of(schema.similarity());
        this.options = options;
        this.filterParser = new FilterParser(options.fields());
        this.indexOptions = opts;
        this.documents = documents;
        this.manifests = manifests;
        this.segments = new SegmentSet(schema.dimension(), space, opts, new LexicalFields(options));
        this.snippets = new Snippets(segments.lexicalFields());
        Files.createDirectories(dir.resolve("wal"));
        this.writePath = new WritePath(schema, opts, documents, segments,
                new DocumentAdmission(schema.name(), schema.dimension(), opts.maxDocumentBytes(), options.fields()),
                new DiskSpace(schema.name(), opts.minFreeDiskBytes(), dir, dir.resolve("wal")), quarantine);
        this.maintenance = new SegmentMaintenance(schema.name(), schema.dimension(), space, dir.resolve("segments"), opts,
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
    /**
     * Throws the 4xx a collection of {@code schema} and {@code options} would refuse {@code documents} with (field
     * types, sizes, ids, passages), without a collection: cluster mode checks a sharded collection's documents before
     * they enter its Kafka log, since a record there must apply on every replica.
     */
    public static void admitAll(io.poisk.core.CollectionSchema schema, CollectionOptions options, int maxDocumentBytes,
                                java.util.List<EmbeddedDocument> documents) {
        DocumentAdmission admission = new DocumentAdmission(schema.name(), schema.dimension(), maxDocumentBytes, options.fields());
        for (EmbeddedDocument d : documents) admission.admit(d);
    }

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
                segs.add(DiskSegment.open(segmentDir, e.tombstones(), space, opts));
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

    /**
     * Merges field patches into stored documents without re-embedding (see {@link WritePath#patch}); returns,
     * per patch, whether its document existed. Durable on return; a patched field of the wrong declared type
     * refuses the whole batch (INVALID_DOCUMENT) before anything is logged.
     */
    public boolean[] patch(List<io.poisk.core.DocumentPatch> patches) throws IOException {
        checkOpen();
        if (patches.isEmpty()) return new boolean[0];
        diskBudget.checkRoom("writing to collection '" + schema.name() + "'");
        maintenance.awaitRoomForWrites();
        boolean[] found = writePath.patch(patches);
        maintenance.freezeIfFull();
        return found;
    }

    /**
     * Deletes every document that passes {@code filter}, {@code chunk} ids per logged group: each round finds
     * at most that many matches and deletes them, until a round finds none or the rounds the collection's
     * size allows (so documents written meanwhile cannot keep it going) run out. Returns how many it deleted;
     * durable on return.
     */
    public long deleteMatching(Filter filter, int chunk) throws IOException {
        checkOpen();
        if (filter == null) throw new PoiskException(ErrorCode.INVALID_QUERY, "a delete by filter needs a non-empty filter");
        long rounds = documentCount() / Math.max(1, chunk) + 2;
        long deleted = 0;
        for (long r = 0; r < rounds; r++) {
            List<String> ids = segments.matchingIds(filter, chunk);
            if (ids.isEmpty()) break;
            deleted += writePath.deleteAll(ids);
        }
        return deleted;
    }

    /**
     * Declares a typed field on an existing collection and indexes the stored documents for it, without
     * inference. Returns false when it is declared already with this type; FIELD_EXISTS (409) with another.
     *
     * <p>Order, chosen so a crash at any point leaves a sound collection: (1) the lexical side is widened to
     * index the field (harmless while no filter may name it); (2) a flush writes the live segment with it; (3)
     * every on-disk segment is rewritten into one (a merge: its lexical index is rebuilt from the stored
     * documents); (4) with appends held, the stored values are checked against the type and the options file is
     * replaced atomically, after which filters may name the field. A crash before (4) leaves the field
     * undeclared (retry the request); after it, every segment already indexes it. Costs a rewrite of the
     * collection's segments: a graph build of the whole collection.
     */
    public synchronized boolean addField(String name, FieldType type) throws IOException {
        checkWritable();
        FieldType existing = options.fields().get(name);
        if (existing == type) return false;
        if (existing != null) {
            throw new PoiskException(ErrorCode.FIELD_EXISTS, "field '" + name + "' of collection '" + schema.name()
                    + "' is declared " + existing.wireName() + "; it cannot be re-declared " + type.wireName());
        }
        Map<String, FieldType> fields = new java.util.LinkedHashMap<>(options.fields());
        fields.put(name, type);
        CollectionOptions next = new CollectionOptions(options.language(), fields, options.rerank(), options.passages());
        segments.widenLexicalFields(new LexicalFields(next));
        try {
            maintenance.flush();
            maintenance.rewriteAll();
        } catch (IOException e) {
            throw fullDiskOr(e, "re-indexing for field '" + name + "'");
        }
        DocumentAdmission admission = new DocumentAdmission(schema.name(), schema.dimension(), indexOptions.maxDocumentBytes(),
                next.fields());
        DocumentAdmission onlyNew = new DocumentAdmission(schema.name(), schema.dimension(), indexOptions.maxDocumentBytes(),
                Map.of(name, type));
        writePath.holdingAppends(appliedLsn -> {
            // A stored value that does not fit would make replay refuse its record once the field is declared.
            segments.forEachId(id -> {
                documents.get(id).map(DocumentCodec::decode).ifPresent(d -> {
                    try {
                        onlyNew.checkFields(d);
                    } catch (PoiskException e) {
                        throw new PoiskException(ErrorCode.INVALID_DOCUMENT, "cannot declare field '" + name + "' as "
                                + type.wireName() + ": " + e.getMessage() + "; patch that document's field and retry");
                    }
                });
            });
            next.write(dir);
            writePath.admitFields(admission);
            filterParser = new FilterParser(next.fields());
            options = next;
            return null;
        });
        log.info("collection '{}': declared field '{}' ({}) and indexed {} documents for it", schema.name(), name, type.wireName(),
                documentCount());
        return true;
    }

    // ---------------------------------------------------------------- reads

    /** The stored document with its stored vector, read consistently, or empty: an upsert of unchanged text reuses the vector. */
    public Optional<EmbeddedDocument> stored(String id) {
        checkOpen();
        if (id == null) return Optional.empty();
        return Optional.ofNullable(writePath.stored(id));
    }

    /** Whether {@code id} is a live document: the location lookup a search makes per hit, without reading the document. */
    boolean contains(String id) {
        return segments.contains(id);
    }

    public Optional<Document> get(String id) {
        checkOpen();
        if (id == null || !segments.contains(id)) return Optional.empty();
        return documents.get(id).map(DocumentCodec::decode);
    }

    /** The {@code k} documents most similar to {@code query} (by the collection's similarity) over every segment, best first. */
    public List<Hit> search(float[] query, int k) {
        checkOpen();
        if (query.length != schema.dimension()) {
            throw new IllegalArgumentException("query vector has " + query.length + " dimensions; collection '"
                    + schema.name() + "' takes " + schema.dimension());
        }
        if (k <= 0) return List.of();
        VectorFloat<?> q = LiveSegment.VTS.createFloatVector(space.prepare(query));
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
        return candidates(query, SegmentSearchObserver.NONE);
    }

    /** As {@link #candidates(SearchQuery)}, telling {@code observer} how long each segment's dense search took. */
    public List<ScoredCandidate> candidates(SearchQuery query, SegmentSearchObserver observer) {
        checkOpen();
        return segments.search(query, queryVector(query), null, observer).hits().stream()
                .map(h -> new ScoredCandidate(h.id(), h.score(), h.passage())).toList();
    }

    /** The documents of {@code candidates}, each read once, in their order with their scores; one deleted since is left out. */
    public List<Hit> documents(List<ScoredCandidate> candidates) {
        checkOpen();
        List<Hit> hits = new ArrayList<>(candidates.size());
        for (ScoredCandidate c : candidates) {
            if (!segments.contains(c.id())) continue;
            documents.get(c.id()).map(DocumentCodec::decode).ifPresent(d -> hits.add(new Hit(d.id(), c.score(), d.text(), d.fields(),
                    SegmentSearch.clamp(c.passage(), d.text().length()))));
        }
        return hits;
    }

    /**
     * Up to {@code limit} documents with ids greater than {@code after} (null: from the first), in ascending id
     * order, as {@link #get} returns them; the range also stops once it holds {@code maxBytes} of stored
     * documents (at least one document), so one range never needs more memory than that. Reads walk the
     * segments' ids in order, {@link #ID_PAGE} at a time ({@link SegmentSet#idsAfter}), no snapshot: a document live
     * for a whole export is returned exactly once, however writes, flushes and merges interleave, and one deleted
     * meanwhile is simply left out.
     */
    public DocumentRange documentsAfter(String after, int limit, long maxBytes) {
        checkOpen();
        List<Document> out = new ArrayList<>(Math.min(limit, 1024));
        long bytes = 0;
        String cursor = after;
        while (true) {
            List<String> ids = segments.idsAfter(cursor, ID_PAGE);
            for (String id : ids) {
                if (out.size() >= limit || (!out.isEmpty() && bytes >= maxBytes)) return new DocumentRange(out, true);
                Optional<byte[]> stored = documents.get(id);
                if (stored.isEmpty()) continue; // deleted after the walk saw its id
                bytes += stored.get().length;
                out.add(DocumentCodec.decode(stored.get()));
            }
            if (ids.size() < ID_PAGE) return new DocumentRange(out, false);
            cursor = ids.getLast();
        }
    }

    private VectorFloat<?> queryVector(SearchQuery query) {
        if (query.vector() == null || query.mode() == io.poisk.core.SearchMode.LEXICAL) return null;
        if (query.vector().length != schema.dimension()) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "query vector has " + query.vector().length
                    + " dimensions; collection '" + schema.name() + "' takes " + schema.dimension());
        }
        return LiveSegment.VTS.createFloatVector(space.prepare(query.vector()));
    }

    public long documentCount() {
        return segments.documentCount();
    }


    /** Where a document lives in the segments, for test failure messages. */
    String describe(String id) {
        return segments.describe(id);
    }

    /** On-disk segments. */
    public int segmentCount() {
        return segments.disk().size();
    }

    /** Flushes of the live segment to disk completed since this collection opened (a counter for meters). */
    public long flushesCompleted() {
        return maintenance.flushes();
    }

    /** Merges of on-disk segments completed since this collection opened (a counter for meters). */
    public long mergesCompleted() {
        return maintenance.merges();
    }

    /** Vectors merges inserted into graphs since this collection opened; the largest input's are kept, not inserted. */
    long mergeInsertions() {
        return maintenance.mergeInsertions();
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
    /**
     * A highlighted snippet of {@code text} (a hit's text) for the lexical side of {@code query}: the collection's
     * analyzer decides what matches (word forms, stop words), at most about {@code maxChars} characters, HTML-escaped
     * with matches in {@code <mark>}. CPU work proportional to the text: call it off the event loop.
     */
    public String snippet(String query, String text, boolean prefixLastTerm, int maxChars) {
        return snippets.snippet(query, text, prefixLastTerm, maxChars);
    }

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
