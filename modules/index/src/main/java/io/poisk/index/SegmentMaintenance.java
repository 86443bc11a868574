package io.poisk.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Flushes and merges of one collection.
 *
 * <p>Flush: a writer that fills the live segment only freezes it ({@link WritePath#freeze}, milliseconds);
 * the frozen segment stays searchable and the flush thread writes it to disk, swaps it for the
 * on-disk copy, writes the manifest and only then drops the log files it covers. At most one frozen
 * segment waits at a time: writers block (up to {@link #BACKPRESSURE_WAIT_MS}, then OVERLOADED) only
 * when the new live segment is full again before the previous flush finished.
 *
 * <p>Merge runs on its own thread so that a long merge never holds up a flush (and so the writers).
 * Flushes are serialised by {@code flushLock}, merges by {@code mergeLock}; the manifest store
 * serialises their manifest writes.
 */
final class SegmentMaintenance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SegmentMaintenance.class);
    /** How long a writer waits for a flush before it is told to back off. */
    static final long BACKPRESSURE_WAIT_MS = 120_000;
    private static final long RETRY_DELAY_MS = 5_000;

    private final String collection;
    private final int dimension;
    private final VectorSpace space;
    private final Path segmentsDir;
    private final IndexOptions opts;
    private final DocumentStore documents;
    private final SegmentSet segments;
    private final WritePath writePath;
    private final ManifestStore manifests;
    private final MergePolicy mergePolicy;
    private final SegmentMerger merger;
    private final java.util.concurrent.atomic.AtomicLong flushes = new java.util.concurrent.atomic.AtomicLong();

    private final ReentrantLock flushLock = new ReentrantLock();
    private final ReentrantLock mergeLock = new ReentrantLock();
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition flushDone = stateLock.newCondition();
    private WritePath.Frozen pending; // guarded by stateLock; cleared once its manifest is durable

    private final ExecutorService flushThread;
    private final ExecutorService mergeThread;
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private final AtomicBoolean mergeQueued = new AtomicBoolean();
    private volatile boolean closed;

    SegmentMaintenance(String collection, int dimension, VectorSpace space, Path segmentsDir, IndexOptions opts, DocumentStore documents,
                       SegmentSet segments, WritePath writePath, ManifestStore manifests) {
        this.collection = collection;
        this.dimension = dimension;
        this.space = space;
        this.segmentsDir = segmentsDir;
        this.opts = opts;
        this.documents = documents;
        this.segments = segments;
        this.writePath = writePath;
        this.manifests = manifests;
        this.mergePolicy = MergePolicy.withMaxSegments(opts.mergeMaxSegments());
        this.merger = new SegmentMerger(collection, dimension, space, segmentsDir, opts, segments, writePath, manifests, this::lexicalSource);
        this.flushThread = Executors.newSingleThreadExecutor(daemon("poisk-flush-" + collection));
        this.mergeThread = Executors.newSingleThreadExecutor(daemon("poisk-merge-" + collection));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    private boolean liveIsFull() {
        return segments.live().size() >= opts.liveSegmentMaxDocs();
    }

    // ---------------------------------------------------------------- flush

    /** Before a writer appends: waits while the live segment is full and the previous frozen one is still being flushed. */
    void awaitRoomForWrites() throws IOException {
        if (!liveIsFull()) return;
        stateLock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(BACKPRESSURE_WAIT_MS);
            while (!closed && pending != null && liveIsFull()) {
                if (left <= 0) {
                    throw new PoiskException(ErrorCode.OVERLOADED, "collection '" + collection + "' is still writing a full segment"
                            + " to disk and the next one is full too; retry later");
                }
                left = flushDone.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a segment flush");
        } finally {
            stateLock.unlock();
        }
    }

    /** After a write: freezes a full live segment and hands it to the flush thread. Never writes a segment itself. */
    void freezeIfFull() throws IOException {
        if (closed || !liveIsFull()) return;
        if (freezeWhenFull()) submitFlush(0);
    }

    /** Freezes the live segment if it is full and no other frozen one waits; true when it did. */
    private boolean freezeWhenFull() throws IOException {
        stateLock.lock();
        try {
            if (closed || pending != null || !liveIsFull() || writePath.readOnlyReason() != null) return false;
            // No frozen segment waits, so the manifest covers everything before the live segment.
            pending = writePath.freeze(manifests.coveredLsn());
            flushDone.signalAll();
            return pending != null;
        } finally {
            stateLock.unlock();
        }
    }

    private void submitFlush(long delayMs) {
        if (closed || !flushQueued.compareAndSet(false, true)) return;
        flushThread.execute(() -> {
            flushQueued.set(false);
            if (delayMs > 0) {
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
            flushLock.lock();
            try {
                do {
                    if (closed) return;
                    flushPendingLocked();
                } while (freezeWhenFull());
            } catch (Throwable t) {
                log.error("background flush of collection '{}' failed; retrying in {} ms (the log still holds its documents)",
                        collection, RETRY_DELAY_MS, t);
                submitFlush(RETRY_DELAY_MS);
                return;
            } finally {
                flushLock.unlock();
            }
            scheduleMergeIfNeeded();
        });
    }

    /** Freezes whatever the live segment holds and writes it (and pending tombstones) to disk before returning. */
    void flush() throws IOException {
        long target = writePath.lastAppendedLsn();
        flushLock.lock();
        try {
            while (true) {
                flushPendingLocked();
                if (manifests.coveredLsn() >= target) break;
                boolean froze;
                stateLock.lock();
                try {
                    if (pending == null) pending = writePath.freeze(manifests.coveredLsn());
                    froze = pending != null;
                } finally {
                    stateLock.unlock();
                }
                if (!froze) break;
            }
        } finally {
            flushLock.unlock();
        }
        scheduleMergeIfNeeded();
    }

    /** Writes the pending frozen segment, swaps it in, makes the manifest durable, then drops the covered log. */
    private void flushPendingLocked() throws IOException {
        WritePath.Frozen f;
        stateLock.lock();
        try {
            f = pending;
        } finally {
            stateLock.unlock();
        }
        if (f == null) return;
        long t0 = System.nanoTime();
        String written = null;
        LiveSegment frozen = f.segment();
        if (frozen != null) {
            frozen.freeze();
            GraphIndexBuilder builder = frozen.removeDeletedNodes();
            String name = manifests.nextSegmentName();
            var vectors = frozen.vectors();
            KeptCodebook kept = vectors.size() >= opts.pqMinVectors() ? segments.largestCodebook() : null;
            if (kept != null && !kept.fits(vectors, 0, vectors.size())) {
                log.info("collection '{}': the codebook of {} does not fit the flush, training one", collection, kept.segment());
                kept = null;
            }
            Map<Integer, Integer> oldToNew = SegmentWriter.write(segmentsDir, name, builder.getGraph(), vectors,
                    frozen::idAt, frozen::spanOf, opts, lexicalSource(), kept == null ? null : kept.codebook());
            DiskSegment seg = DiskSegment.open(segmentsDir.resolve(name), null, space, opts);
            writePath.holdingApply(() -> segments.frozenFlushed(frozen, seg, oldToNew));
            frozen.close();
            written = name;
            replacePending(new WritePath.Frozen(null, f.cutLsn())); // a retry after a failure below only writes the manifest
        }
        documents.force();
        manifests.holdingFiles(() -> {
            manifests.write(segments, f.cutLsn());
            writePath.dropLogUpTo(f.cutLsn());
            return null;
        });
        replacePending(null);
        flushes.incrementAndGet();
        log.info("collection '{}' flushed {} up to LSN {} in {} ms", collection, written == null ? "tombstones" : written,
                f.cutLsn(), (System.nanoTime() - t0) / 1_000_000);
    }

    private void replacePending(WritePath.Frozen next) {
        stateLock.lock();
        try {
            pending = next;
            flushDone.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    /** Flushes completed (segments written, or tombstones made durable) since the collection opened. */
    long flushes() {
        return flushes.get();
    }

    /** Merges completed since the collection opened. */
    long merges() {
        return merger.merges();
    }

    /** Vectors the merges inserted into graphs (the rest kept the largest input's graph). */
    long mergeInsertions() {
        return merger.insertions();
    }

    /** True while a frozen segment waits for (or is in) its flush. For tests. */
    boolean flushPending() {
        stateLock.lock();
        try {
            return pending != null;
        } finally {
            stateLock.unlock();
        }
    }

    /**
     * A segment's lexical side is written from the document store: a document not deleted in the
     * segment being written is current there; one replaced or deleted meanwhile gets the newer text
     * (or none) but is tombstoned at the swap, so it is never found through this segment.
     */
    SegmentWriter.LexicalSource lexicalSource() {
        return new SegmentWriter.LexicalSource(id -> documents.get(id).map(io.poisk.core.DocumentCodec::decode).orElse(null),
                segments.lexicalFields());
    }

    // ---------------------------------------------------------------- merge

    /** Compacts every on-disk segment into one, dropping tombstoned documents. */
    void merge() throws IOException {
        mergeLock.lock();
        try {
            List<DiskSegment> segs = segments.disk();
            boolean worthIt = segs.size() > 1 || segs.stream().anyMatch(s -> s.deletedCount() > 0);
            if (worthIt) merger.merge(segs);
        } finally {
            mergeLock.unlock();
        }
    }

    /**
     * Rewrites every on-disk segment into one, deleted or not, so all of them get their lexical side from the
     * current fields (a newly declared typed field). Returns once the new segment and its manifest are durable.
     */
    void rewriteAll() throws IOException {
        mergeLock.lock();
        try {
            List<DiskSegment> segs = segments.disk();
            if (!segs.isEmpty()) merger.merge(segs);
        } finally {
            mergeLock.unlock();
        }
    }

    void scheduleMergeIfNeeded() {
        if (closed || chooseMerge().isEmpty() || !mergeQueued.compareAndSet(false, true)) return;
        mergeThread.execute(() -> {
            mergeQueued.set(false);
            mergeLock.lock();
            try {
                if (closed) return;
                List<DiskSegment> chosen = chooseMerge();
                if (!chosen.isEmpty()) merger.merge(chosen);
            } catch (Throwable t) {
                log.error("background merge of collection '{}' failed", collection, t);
            } finally {
                mergeLock.unlock();
            }
            scheduleMergeIfNeeded(); // a flush may have added segments meanwhile
        });
    }

    /** The segments {@link MergePolicy} picks among the current on-disk ones (empty: none). */
    private List<DiskSegment> chooseMerge() {
        List<DiskSegment> segs = segments.disk();
        List<MergePolicy.SegmentStats> stats = segs.stream()
                .map(s -> new MergePolicy.SegmentStats(s.dir().getFileName().toString(), s.size(), s.deletedCount()))
                .toList();
        List<String> names = mergePolicy.choose(stats);
        return segs.stream().filter(s -> names.contains(s.dir().getFileName().toString())).toList();
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Stops the maintenance threads: a flush or merge in progress finishes, queued ones are dropped
     * (the log still holds what a dropped flush would have written). Then holds both locks so the
     * caller can release files.
     */
    void close(Runnable releaseFiles) {
        closed = true;
        stateLock.lock();
        try {
            flushDone.signalAll();
        } finally {
            stateLock.unlock();
        }
        for (ExecutorService e : List.of(flushThread, mergeThread)) {
            e.shutdown();
            try {
                if (!e.awaitTermination(10, TimeUnit.MINUTES)) log.warn("maintenance of '{}' did not stop", collection);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        flushLock.lock();
        mergeLock.lock();
        try {
            releaseFiles.run();
        } finally {
            mergeLock.unlock();
            flushLock.unlock();
        }
    }

    /** Stops the threads without waiting (a failed open). */
    @Override
    public void close() {
        closed = true;
        flushThread.shutdownNow();
        mergeThread.shutdownNow();
    }
}
