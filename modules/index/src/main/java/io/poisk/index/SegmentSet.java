package io.poisk.index;

import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.poisk.core.Hit;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.FixedBitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The segments of one collection (on-disk ones, at most one frozen live segment waiting for its
 * flush, and the live segment) and where each document's vector lives now. A search runs over them
 * ({@link SegmentSearch}) while this keeps them open.
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

    /**
     * The codebook of the on-disk segment with the most live documents that has PQ codes, for a flush to keep
     * (null: none). Taken under the read lock, so that a merge cannot close that segment meanwhile.
     */
    KeptCodebook largestCodebook() throws java.io.IOException {
        swapLock.readLock().lock();
        try {
            DiskSegment largest = disk.stream().filter(DiskSegment::hasFusedPq)
                    .max(Comparator.comparingInt(DiskSegment::liveCount)).orElse(null);
            return largest == null ? null : KeptCodebook.of(largest);
        } finally {
            swapLock.readLock().unlock();
        }
    }

    /** Installs the manifest's segments at open and indexes their live documents. */
    void loadDisk(List<DiskSegment> segments) {
        for (DiskSegment s : segments) {
            for (int o = 0; o < s.size(); o++) {
                if (s.isDeleted(o) || s.passageIndex(o) != 0) continue;
                String id = s.idAt(o);
                Location prev = locations.put(id, s, o);
                if (prev != null) { // cannot happen with tombstones persisted together with segments
                    log.warn("document '{}' is live in {} and {}; keeping the latter", id, prev.segment().name(), s.name());
                    prev.markDeleted();
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
            Location loc = locations.get(id);
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
                    FixedBitSet allowed = SegmentSearch.allowedOrdinals(s, view, query);
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
            Location loc = locations.get(id);
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
        Location old = locations.remove(id);
        if (old == null) return false;
        old.markDeleted();
        return true;
    }

    /**
     * Records that {@code id} now lives at {@code ordinal} of {@code segment} and tombstones its previous copy,
     * if any. One put replaces the entry, so the id never leaves the location table while it is replaced.
     */
    void locate(String id, Segment segment, int ordinal) {
        Location old = locations.put(id, segment, ordinal);
        if (old != null) old.markDeleted();
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
        Location loc = locations.get(id);
        if (loc == null || loc.segment() != from || loc.ordinal() != fromOrd) return false;
        locations.put(id, to, toOrd);
        return true;
    }

    /** Tombstones an ordinal of a written segment whose document did not move there (replaced or deleted meanwhile). */
    private void tombstoneIfElsewhere(Segment written, int ordinal) {
        String id = written.idAt(ordinal);
        Location loc = id == null ? null : locations.get(id);
        if (loc == null || !loc.covers(written, ordinal)) written.markDeleted(ordinal);
    }

    // ------------------------------------------------------------ search

    /** The {@code k} best live documents over every segment, best first, loaded from {@code documents}. */
    List<Hit> search(VectorFloat<?> query, int k, DocumentStore documents) {
        swapLock.readLock().lock();
        try {
            return SegmentSearch.dense(currentSegments(), query, k, opts.searchBeam(), documents);
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
        try {
            return SegmentSearch.search(currentSegments(), lexicalFields, q, vector, opts.searchBeam(), documents, observer);
        } finally {
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
