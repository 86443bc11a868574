package io.poisk.index;

import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.poisk.core.Document;
import io.poisk.core.DocumentCodec;
import io.poisk.core.ErrorCode;
import io.poisk.core.Hit;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchMode;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The segments of one collection (on-disk ones, at most one frozen live segment waiting for its
 * flush, and the live segment) and where each document's vector lives now.
 *
 * <p>Searches hold the read side of {@code swapLock} for their whole run; swaps take the write side.
 * That is the reference count: once a swap returns, no search still uses the segments it removed,
 * so the caller may close them.
 *
 * <p>Location changes ({@link #tombstone}, {@link #locate}, the swaps) must be serialised by the
 * caller: the write path's apply lock (see {@link WritePath#holdingApply}).
 */
final class SegmentSet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SegmentSet.class);

    /** Where a document's vectors live now: ordinals head .. head + count - 1 of a segment, one per passage. */
    private record Location(Segment segment, int ordinal, int count) {
        Location(Segment segment, int ordinal) {
            this(segment, ordinal, segment.passageCount(ordinal));
        }

        boolean covers(Segment s, int o) {
            return segment == s && o >= ordinal && o < ordinal + count;
        }

        void markDeleted() {
            for (int i = 0; i < count; i++) segment.markDeleted(ordinal + i);
        }
    }

    private final int dimension;
    private final VectorSpace space;
    private final IndexOptions opts;
    /** Widened (a new field indexed) before a typed field is declared; new live segments take the current one. */
    private volatile LexicalFields lexicalFields;
    /** Where each live document is now; the ids themselves stay in the segments (see {@link LocationTable}). */
    private final LocationTable locations = new LocationTable();
    private final ReentrantReadWriteLock swapLock = new ReentrantReadWriteLock();
    private volatile List<DiskSegment> disk = List.of();
    private volatile LiveSegment frozen;
    private volatile LiveSegment live;

    SegmentSet(int dimension, VectorSpace space, IndexOptions opts, LexicalFields lexicalFields) {
        this.dimension = dimension;
        this.space = space;
        this.opts = opts;
        this.lexicalFields = lexicalFields;
        this.live = newLiveSegment();
    }

    private LiveSegment newLiveSegment() {
        return new LiveSegment("live", dimension, space, opts, lexicalFields);
    }

    LexicalFields lexicalFields() {
        return lexicalFields;
    }

    /**
     * Indexes more fields from now on: segments written after this (flushes, merges) and live segments started
     * after it. Indexing a field no filter may name yet is harmless, so this may run before the declaration.
     */
    void widenLexicalFields(LexicalFields wider) {
        lexicalFields = wider;
    }

    /** Calls {@code action} with the id of every live document, in no order; writes wait meanwhile. */
    void forEachId(java.util.function.Consumer<String> action) {
        swapLock.readLock().lock();
        try {
            locations.forEachId(action);
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Where {@code id} lives now, or null. */
    private Location location(String id) {
        LocationTable.Entry e = locations.get(id);
        return e == null ? null : new Location(e.segment(), e.ordinal());
    }

    /** Installs the manifest's segments at open and indexes their live documents. */
    void loadDisk(List<DiskSegment> segments) {
        for (DiskSegment s : segments) {
            for (int o = 0; o < s.size(); o++) {
                if (s.isDeleted(o) || s.passageIndex(o) != 0) continue;
                String id = s.idAt(o);
                LocationTable.Entry prev = locations.put(id, s, o);
                if (prev != null) { // cannot happen with tombstones persisted together with segments
                    log.warn("document '{}' is live in {} and {}; keeping the latter", id, prev.segment().name(), s.name());
                    new Location(prev.segment(), prev.ordinal()).markDeleted();
                }
            }
        }
        disk = List.copyOf(segments);
    }

    LiveSegment live() {
        return live;
    }

    /** The frozen live segment waiting for its flush, or null. */
    LiveSegment frozen() {
        return frozen;
    }

    List<DiskSegment> disk() {
        return disk;
    }

    boolean contains(String id) {
        return locations.get(id) != null;
    }

    long documentCount() {
        return locations.size();
    }

    /**
     * Up to {@code max} ids of live documents greater than {@code after} (null: from the first), ascending. Merges
     * every segment's ids in order, deleted ones included, and keeps those the location table holds as the walk
     * passes them: a document live for the whole walk stays among the ids of the segment it was in, wherever it
     * moves meanwhile, so a range of pages returns it exactly once; one deleted meanwhile is simply left out.
     */
    List<String> idsAfter(String after, int max) {
        swapLock.readLock().lock();
        try {
            record Cursor(Iterator<String> ids, String id) {
            }
            PriorityQueue<Cursor> queue = new PriorityQueue<>(Comparator.comparing(Cursor::id));
            for (Segment s : currentSegments()) {
                Iterator<String> it = s.idsAfter(after);
                if (it.hasNext()) queue.add(new Cursor(it, it.next()));
            }
            List<String> out = new ArrayList<>();
            String last = null;
            while (!queue.isEmpty() && out.size() < max) {
                Cursor c = queue.poll();
                if (!c.id().equals(last)) { // a replaced document's id is in two segments: one visit
                    last = c.id();
                    if (locations.get(last) != null) out.add(last);
                }
                if (c.ids().hasNext()) queue.add(new Cursor(c.ids(), c.ids().next()));
            }
            return out;
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** The stored passage vectors of {@code id} where it lives now, or null; the read lock keeps its segment open meanwhile. */
    List<PassageVector> vectorOf(String id) {
        swapLock.readLock().lock();
        try {
            Location loc = location(id);
            if (loc == null) return null;
            List<PassageVector> out = new ArrayList<>(loc.count());
            for (int i = 0; i < loc.count(); i++) out.add(loc.segment().passageAt(loc.ordinal() + i));
            return out;
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /**
     * Ids of at most {@code max} live documents that pass {@code filter}, over every segment (the same Lucene
     * evaluation as a filtered search), for delete-by-filter, which deletes them and asks again.
     */
    List<String> matchingIds(Filter filter, int max) {
        Query query = FilterQueries.toQuery(filter);
        List<String> out = new ArrayList<>();
        swapLock.readLock().lock();
        try {
            for (Segment s : currentSegments()) {
                if (out.size() >= max) break;
                try (LexicalView view = s.lexicalView()) {
                    FixedBitSet allowed = allowedOrdinals(s, view, query);
                    int limit = Math.min(allowed.length(), s.size());
                    for (int o = allowed.nextSetBit(0); o >= 0 && o < limit && out.size() < max;
                         o = o + 1 < limit ? allowed.nextSetBit(o + 1) : -1) {
                        if (s.isDeleted(o) || s.passageIndex(o) != 0) continue;
                        String id = s.idAt(o);
                        if (id != null) out.add(id);
                    }
                }
            }
        } finally {
            swapLock.readLock().unlock();
        }
        return out;
    }

    /**
     * Where {@code id} lives and what each segment holds of it (ordinals, tombstones), for a failing test's message:
     * a document that is stored but not found by a search is located here.
     */
    String describe(String id) {
        swapLock.readLock().lock();
        try {
            StringBuilder out = new StringBuilder("'" + id + "': ");
            Location loc = location(id);
            out.append(loc == null ? "no location" : "located at " + loc.segment().name() + "#" + loc.ordinal() + " x" + loc.count());
            for (Segment s : currentSegments()) {
                for (int o = 0; o < s.size(); o++) {
                    if (!id.equals(s.idAt(o))) continue;
                    out.append("; ").append(s == frozen ? "frozen" : s.name()).append('#').append(o).append(s.isDeleted(o) ? " deleted" : " live");
                }
            }
            return out.toString();
        } finally {
            swapLock.readLock().unlock();
        }
    }

    // ------------------------------------------------------------ location changes (apply lock held)

    /** Tombstones the current copy of {@code id}, if any; true when there was one. */
    boolean tombstone(String id) {
        LocationTable.Entry old = locations.remove(id);
        if (old == null) return false;
        new Location(old.segment(), old.ordinal()).markDeleted();
        return true;
    }

    /**
     * Records that {@code id} now lives at {@code ordinal} of {@code segment} and tombstones its previous copy,
     * if any. One put replaces the entry, so the id never leaves the location table while it is replaced.
     */
    void locate(String id, Segment segment, int ordinal) {
        LocationTable.Entry old = locations.put(id, segment, ordinal);
        if (old != null) new Location(old.segment(), old.ordinal()).markDeleted();
    }

    /** Freezes the live segment (still searchable, still taking tombstones) and starts an empty one. */
    LiveSegment freezeLive() {
        swapLock.writeLock().lock();
        try {
            if (frozen != null) throw new IllegalStateException("a frozen segment is already waiting for its flush");
            LiveSegment f = live;
            f.freeze();
            frozen = f;
            live = newLiveSegment();
            return f;
        } finally {
            swapLock.writeLock().unlock();
        }
    }

    /** Replaces the frozen segment by its flushed copy; documents replaced or deleted meanwhile are tombstoned there. */
    void frozenFlushed(LiveSegment flushed, DiskSegment written, Map<Integer, Integer> oldToNew) {
        swapLock.writeLock().lock();
        try {
            if (frozen != flushed) throw new IllegalStateException("segment " + flushed.name() + " is not the frozen one");
            for (var e : oldToNew.entrySet()) {
                int oldOrd = e.getKey();
                if (flushed.passageIndex(oldOrd) == 0) relocate(flushed.idAt(oldOrd), flushed, oldOrd, written, e.getValue());
            }
            for (int newOrd : oldToNew.values()) tombstoneIfElsewhere(written, newOrd);
            List<DiskSegment> next = new ArrayList<>(disk);
            next.add(written);
            disk = List.copyOf(next);
            frozen = null;
        } finally {
            swapLock.writeLock().unlock();
        }
    }

    /** Replaces {@code chosen} by {@code merged} (null: nothing was left of them). */
    void merged(List<DiskSegment> chosen, DiskSegment merged, Map<Integer, Integer> oldToNew,
                List<DiskSegment> sourceSegment, List<Integer> sourceOrdinal) {
        swapLock.writeLock().lock();
        try {
            for (var e : oldToNew.entrySet()) {
                int src = e.getKey();
                DiskSegment s = sourceSegment.get(src);
                int o = sourceOrdinal.get(src);
                if (s.passageIndex(o) == 0) relocate(s.idAt(o), s, o, merged, e.getValue());
            }
            for (int newOrd : oldToNew.values()) tombstoneIfElsewhere(merged, newOrd);
            List<DiskSegment> next = new ArrayList<>();
            for (DiskSegment s : disk) if (!chosen.contains(s)) next.add(s);
            if (merged != null) next.add(merged);
            disk = List.copyOf(next);
        } finally {
            swapLock.writeLock().unlock();
        }
    }

    /**
     * Moves {@code id} from the document whose first ordinal is (from, fromOrd) to the one starting at (to, toOrd)
     * if it still lives there; false when it was replaced or deleted. Its passages move with it, in a row.
     */
    private boolean relocate(String id, Segment from, int fromOrd, DiskSegment to, int toOrd) {
        LocationTable.Entry loc = locations.get(id);
        if (loc == null || loc.segment() != from || loc.ordinal() != fromOrd) return false;
        locations.put(id, to, toOrd);
        return true;
    }

    /** Tombstones an ordinal of a written segment whose document did not move there (replaced or deleted meanwhile). */
    private void tombstoneIfElsewhere(Segment written, int ordinal) {
        String id = written.idAt(ordinal);
        Location loc = id == null ? null : location(id);
        if (loc == null || !loc.covers(written, ordinal)) written.markDeleted(ordinal);
    }

    // ------------------------------------------------------------ search

    /** A segment-local result of either list, before its document is loaded; {@code dense}: it carries a passage. */
    private record Candidate(Segment segment, int ordinal, String id, float score, boolean dense) {
    }

    /** A passage's range clamped to a text of {@code length} characters (null stays null). */
    static io.poisk.core.Passage clamp(io.poisk.core.Passage p, int length) {
        if (p == null) return null;
        int end = Math.min(p.end(), length);
        return new io.poisk.core.Passage(Math.min(p.start(), end), end);
    }

    /** Asks for more ordinals until a segment's answer holds k documents (a document has one ordinal per passage). */
    private static final int MAX_WIDENINGS = 6;

    /** The {@code k} best live documents over every segment, best first, loaded from {@code documents}. */
    List<Hit> search(VectorFloat<?> query, int k, DocumentStore documents) {
        swapLock.readLock().lock();
        try {
            return denseCandidates(currentSegments(), query, k, null, null, documents, SegmentSearchObserver.NONE);
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Runs the query's dense and/or lexical search over every segment, filtered, and fuses them for hybrid (documents null: see load). */
    SearchResults search(SearchQuery q, VectorFloat<?> vector, DocumentStore documents) {
        return search(q, vector, documents, SegmentSearchObserver.NONE);
    }

    /** As above, telling {@code observer} each segment's dense search time by segment kind. */
    SearchResults search(SearchQuery q, VectorFloat<?> vector, DocumentStore documents, SegmentSearchObserver observer) {
        swapLock.readLock().lock();
        List<LexicalView> views = new ArrayList<>();
        try {
            List<Segment> segments = currentSegments();
            boolean needLexical = q.mode() != SearchMode.DENSE || q.filter() != null;
            if (needLexical) for (Segment s : segments) views.add(s.lexicalView());
            Query filter = q.filter() == null ? null : FilterQueries.toQuery(q.filter());
            List<Hit> dense = q.mode() == SearchMode.LEXICAL ? List.of()
                    : denseCandidates(segments, vector, q.perListDepth(), filter, views, documents, observer);
            List<Hit> lexical = q.mode() == SearchMode.DENSE ? List.of() : lexicalSearch(views, q, filter, documents);
            List<Hit> hits = switch (q.mode()) {
                case DENSE -> dense.subList(0, Math.min(q.depth(), dense.size()));
                case LEXICAL -> lexical.subList(0, Math.min(q.depth(), lexical.size()));
                case HYBRID -> RankFusion.fuse(dense, lexical, q.fusion(), q.depth());
            };
            return new SearchResults(hits, dense, lexical);
        } catch (IndexSearcher.TooManyClauses e) { // the request limits refuse such a query first: a backstop
            throw new PoiskException(ErrorCode.INVALID_QUERY, "the query and filter need more than "
                    + IndexSearcher.getMaxClauseCount() + " index clauses; use fewer words or filter conditions", e);
        } catch (IOException e) {
            throw new UncheckedIOException("lexical search failed", e);
        } finally {
            for (LexicalView v : views) v.close();
            swapLock.readLock().unlock();
        }
    }

    private List<Segment> currentSegments() {
        List<Segment> segments = new ArrayList<>(disk);
        LiveSegment f = frozen;
        if (f != null) segments.add(f);
        segments.add(live);
        return segments;
    }

    /** The kinds {@link SegmentSearchObserver} names. */
    private static String kindOf(Segment s) {
        if (s instanceof DiskSegment d) return d.hasFusedPq() ? "disk_pq" : "disk";
        return "live";
    }

    private List<Hit> denseCandidates(List<Segment> segments, VectorFloat<?> query, int k, Query filter,
                                      List<LexicalView> views, DocumentStore documents, SegmentSearchObserver observer) {
        List<Candidate> all = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            FixedBitSet allowed = null;
            int count = 0;
            if (filter != null) {
                allowed = allowedOrdinals(s, views.get(i), filter);
                count = allowed.cardinality();
            }
            if (allowed != null) count = widenToPassages(s, allowed);
            long started = System.nanoTime();
            for (Segment.ScoredId hit : searchDocuments(s, query, k, allowed, count)) {
                all.add(new Candidate(s, hit.ordinal(), hit.id(), hit.score(), true));
            }
            observer.searched(kindOf(s), System.nanoTime() - started);
        }
        return load(all, k, documents);
    }

    /**
     * The best ordinals of a segment holding at least {@code k} distinct documents (or all it has): passages of
     * one document crowd each other, so the request doubles while they do, at most {@link #MAX_WIDENINGS} times.
     * A segment of one vector per document answers at the first try.
     */
    private static List<Segment.ScoredId> searchDocuments(Segment s, VectorFloat<?> query, int k, FixedBitSet allowed, int count) {
        int asked = k;
        List<Segment.ScoredId> found = s.search(query, asked, allowed, count);
        for (int i = 0; i < MAX_WIDENINGS && found.size() >= asked && asked < s.size(); i++) {
            Set<String> docs = new HashSet<>();
            for (Segment.ScoredId h : found) docs.add(h.id());
            if (docs.size() >= k) break;
            asked = (int) Math.min(s.size(), 2L * asked);
            found = s.search(query, asked, allowed, count);
        }
        return found;
    }

    /** Lets a filter that allows a document's first ordinal (the lexical doc) allow all its passages; returns the count. */
    private static int widenToPassages(Segment s, FixedBitSet allowed) {
        int limit = Math.min(allowed.length(), s.size());
        List<Integer> heads = new ArrayList<>();
        for (int o = allowed.nextSetBit(0); o >= 0 && o < limit; o = o + 1 < limit ? allowed.nextSetBit(o + 1) : -1) heads.add(o);
        for (int head : heads) {
            int n = s.passageCount(head);
            for (int i = 1; i < n && head + i < allowed.length(); i++) allowed.set(head + i);
        }
        return allowed.cardinality();
    }

    /** The live ordinals of a segment that pass the filter, evaluated on its Lucene leaves. */
    static FixedBitSet allowedOrdinals(Segment s, LexicalView view, Query filter) {
        FixedBitSet bits = new FixedBitSet(Math.max(1, s.size()));
        try {
            for (OrdinalLeaf leaf : view.leaves()) {
                IndexSearcher searcher = new IndexSearcher(leaf);
                searcher.setQueryCache(null);
                Weight w = searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
                Scorer scorer = w.scorer(searcher.getIndexReader().leaves().getFirst());
                if (scorer == null) continue;
                Bits live = leaf.getLiveDocs();
                DocIdSetIterator it = scorer.iterator();
                for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
                    int o = leaf.ordinal(d);
                    if (live.get(d) && o < bits.length()) bits.set(o);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("filter evaluation failed in segment " + s.name(), e);
        }
        return bits;
    }

    private List<Hit> lexicalSearch(List<LexicalView> views, SearchQuery q, Query filter, DocumentStore documents) throws IOException {
        Query text = lexicalFields.textQuery(q.text(), q.prefixLastTerm());
        if (text == null) return List.of(); // nothing searchable in the text (only stop words or punctuation)
        List<OrdinalLeaf> leaves = new ArrayList<>();
        for (LexicalView v : views) leaves.addAll(v.leaves());
        if (leaves.isEmpty()) return List.of();
        Query full = filter == null ? text : new BooleanQuery.Builder()
                .add(text, BooleanClause.Occur.MUST).add(filter, BooleanClause.Occur.FILTER).build();
        // One reader over every segment's leaves: BM25 statistics are the collection's, not a segment's.
        try (MultiReader all = new MultiReader(leaves.toArray(new IndexReader[0]), false)) {
            IndexSearcher searcher = new IndexSearcher(all);
            searcher.setQueryCache(null);
            TopDocs top = searcher.search(full, q.perListDepth());
            List<LeafReaderContext> contexts = all.leaves();
            List<Candidate> found = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc sd : top.scoreDocs) {
                int i = ReaderUtil.subIndex(sd.doc, contexts);
                OrdinalLeaf leaf = leaves.get(i);
                int ordinal = leaf.ordinal(sd.doc - contexts.get(i).docBase);
                found.add(new Candidate(leaf.segment(), ordinal, leaf.segment().idAt(ordinal), sd.score, false));
            }
            return load(found, q.perListDepth(), documents);
        }
    }

    /**
     * Best first, one per id, without documents deleted meanwhile, at most {@code k}, with their documents;
     * {@code documents} null: ids and scores only, no document read (the caller loads the ones it keeps).
     */
    private static List<Hit> load(List<Candidate> all, int k, DocumentStore documents) {
        List<Candidate> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingDouble((Candidate c) -> c.score()).reversed());
        List<Hit> hits = new ArrayList<>(Math.min(k, sorted.size()));
        Set<String> seen = new HashSet<>();
        for (Candidate c : sorted) {
            if (hits.size() == k) break;
            if (c.id() == null || c.segment().isDeleted(c.ordinal()) || !seen.add(c.id())) continue;
            // The first candidate of a document is its best passage: a dense hit reports where it lies.
            io.poisk.core.Passage passage = null;
            if (c.dense()) {
                int end = c.segment().passageEnd(c.ordinal());
                passage = new io.poisk.core.Passage(c.segment().passageStart(c.ordinal()), end == PassageVector.WHOLE_END ? Integer.MAX_VALUE : end);
            }
            if (documents == null) {
                hits.add(new Hit(c.id(), c.score(), null, null, passage));
                continue;
            }
            Optional<byte[]> bytes = documents.get(c.id());
            if (bytes.isEmpty()) continue; // deleted while the search ran
            Document d = DocumentCodec.decode(bytes.get());
            hits.add(new Hit(d.id(), c.score(), d.text(), d.fields(), clamp(passage, d.text().length())));
        }
        return hits;
    }

    @Override
    public void close() {
        List<AutoCloseable> resources = new ArrayList<>();
        if (live != null) resources.add(live);
        if (frozen != null) resources.add(frozen);
        resources.addAll(disk);
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                log.warn("closing segment {} failed", r, e);
            }
        }
    }
}
