package io.poisk.index;

import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.poisk.core.Document;
import io.poisk.core.DocumentCodec;
import io.poisk.core.Hit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

    /** Where a document's vector lives now. */
    private record Location(Segment segment, int ordinal) {
    }

    private final int dimension;
    private final IndexOptions opts;
    private final Map<String, Location> locations = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock swapLock = new ReentrantReadWriteLock();
    private volatile List<DiskSegment> disk = List.of();
    private volatile LiveSegment frozen;
    private volatile LiveSegment live;

    SegmentSet(int dimension, IndexOptions opts) {
        this.dimension = dimension;
        this.opts = opts;
        this.live = newLiveSegment();
    }

    private LiveSegment newLiveSegment() {
        return new LiveSegment("live", dimension, opts);
    }

    /** Installs the manifest's segments at open and indexes their live documents. */
    void loadDisk(List<DiskSegment> segments) {
        for (DiskSegment s : segments) {
            for (int o = 0; o < s.size(); o++) {
                if (s.isDeleted(o)) continue;
                Location prev = locations.put(s.idAt(o), new Location(s, o));
                if (prev != null) { // cannot happen with tombstones persisted together with segments
                    log.warn("document '{}' is live in {} and {}; keeping the latter", s.idAt(o), prev.segment().name(), s.name());
                    prev.segment().markDeleted(prev.ordinal());
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
        return locations.containsKey(id);
    }

    long documentCount() {
        return locations.size();
    }

    // ------------------------------------------------------------ location changes (apply lock held)

    /** Tombstones the current copy of {@code id}, if any; true when there was one. */
    boolean tombstone(String id) {
        Location old = locations.remove(id);
        if (old == null) return false;
        old.segment().markDeleted(old.ordinal());
        return true;
    }

    /** Records that {@code id} now lives at {@code ordinal} of {@code segment}. */
    void locate(String id, Segment segment, int ordinal) {
        locations.put(id, new Location(segment, ordinal));
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
                int oldOrd = e.getKey(), newOrd = e.getValue();
                String id = flushed.idAt(oldOrd);
                if (!relocate(id, flushed, oldOrd, written, newOrd)) written.markDeleted(newOrd);
            }
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
                int src = e.getKey(), newOrd = e.getValue();
                DiskSegment s = sourceSegment.get(src);
                int o = sourceOrdinal.get(src);
                if (!relocate(s.idAt(o), s, o, merged, newOrd)) merged.markDeleted(newOrd);
            }
            List<DiskSegment> next = new ArrayList<>();
            for (DiskSegment s : disk) if (!chosen.contains(s)) next.add(s);
            if (merged != null) next.add(merged);
            disk = List.copyOf(next);
        } finally {
            swapLock.writeLock().unlock();
        }
    }

    /** Moves {@code id} from (from, fromOrd) to (to, toOrd) if it still lives there; false when it was replaced or deleted. */
    private boolean relocate(String id, Segment from, int fromOrd, Segment to, int toOrd) {
        Location loc = locations.get(id);
        if (loc == null || loc.segment() != from || loc.ordinal() != fromOrd) return false;
        locations.put(id, new Location(to, toOrd));
        return true;
    }

    // ------------------------------------------------------------ search

    /** The {@code k} best live documents over every segment, best first, loaded from {@code documents}. */
    List<Hit> search(VectorFloat<?> query, int k, DocumentStore documents) {
        List<Segment.ScoredId> all = new ArrayList<>();
        List<Segment> sources = new ArrayList<>();
        swapLock.readLock().lock();
        try {
            List<Segment> segments = new ArrayList<>(disk);
            LiveSegment f = frozen;
            if (f != null) segments.add(f);
            segments.add(live);
            for (Segment s : segments) {
                for (Segment.ScoredId hit : s.search(query, k)) {
                    all.add(hit);
                    sources.add(s);
                }
            }
            Integer[] order = new Integer[all.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> all.get(i).cosine()).reversed());
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
            swapLock.readLock().unlock();
        }
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
