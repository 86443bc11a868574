package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.DocumentCodec;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write path of one collection: validation, appending to the write-ahead log, and applying
 * durable records to memory (location table, document map, live segment) in log order.
 *
 * <p>A writer appends its records under {@code appendLock}, waits for the group-commit fsync, then
 * the records are applied under {@code applyLock} (whoever holds it applies every durable pending
 * record). Nothing in memory ever reflects a record that is not durable, so any state written later
 * (segments, tombstones) is safe to replay over. Lock order: appendLock, then applyLock.
 */
final class WritePath implements AutoCloseable {
    private static final int REPLAY_BATCH = 512;

    /** An appended record waiting to be applied; a delete learns there whether its document existed. */
    private static final class PendingRecord {
        final WalRecord record;
        boolean existed; // written and read under applyLock

        PendingRecord(WalRecord record) {
            this.record = record;
        }
    }

    /** A live segment frozen for flushing (null when it was empty) and the last LSN it reflects. */
    record Frozen(LiveSegment segment, long cutLsn) {
    }

    private final CollectionSchema schema;
    private final IndexOptions opts;
    private final DocumentStore documents;
    private final SegmentSet segments;
    private WriteAheadLog wal;

    private final ReentrantLock appendLock = new ReentrantLock();
    private final ReentrantLock applyLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<PendingRecord> pending = new ConcurrentLinkedQueue<>();
    private long appliedLsn;
    private boolean closed; // guarded by appendLock

    WritePath(CollectionSchema schema, IndexOptions opts, DocumentStore documents, SegmentSet segments) {
        this.schema = schema;
        this.opts = opts;
        this.documents = documents;
        this.segments = segments;
    }

    /** Opens the log and replays every record after {@code coveredLsn} into the live segment. */
    void openLog(Path walDir, long coveredLsn) throws IOException {
        appliedLsn = coveredLsn;
        List<PendingRecord> batch = new ArrayList<>();
        wal = WriteAheadLog.open(walDir, coveredLsn, maxRecordBytes(), opts.walGroupCommitMs(), rec -> {
            batch.add(new PendingRecord(rec));
            if (batch.size() >= REPLAY_BATCH) {
                applyReplayed(batch);
                batch.clear();
            }
        });
        applyReplayed(batch);
    }

    private void applyReplayed(List<PendingRecord> batch) {
        if (batch.isEmpty()) return;
        try {
            apply(batch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        appliedLsn = batch.getLast().record.lsn();
    }

    private int maxRecordBytes() {
        return 2 * opts.maxDocumentBytes() + 4 * schema.dimension() + 1024;
    }

    /** Appends the documents to the log and returns once they are durable and applied. */
    void upsert(List<EmbeddedDocument> docs) throws IOException {
        List<byte[]> encoded = new ArrayList<>(docs.size());
        for (EmbeddedDocument d : docs) encoded.add(validate(d));
        long last = -1;
        appendLock.lock();
        try {
            checkOpen();
            for (int i = 0; i < docs.size(); i++) {
                EmbeddedDocument d = docs.get(i);
                WalRecord rec = new WalRecord.Upsert(wal.nextLsn(), d.document().id(), encoded.get(i), d.vector().clone());
                wal.append(rec);
                pending.add(new PendingRecord(rec));
                last = rec.lsn();
            }
        } finally {
            appendLock.unlock();
        }
        commit(last);
    }

    /**
     * Appends a delete and returns once it is durable and applied. Whether the document existed is
     * decided when the record is applied, so it agrees with log order: an upsert of the same id
     * appended just before counts, one appended just after does not.
     */
    boolean delete(String id) throws IOException {
        validateId(id);
        PendingRecord mine;
        appendLock.lock();
        try {
            checkOpen();
            mine = new PendingRecord(new WalRecord.Delete(wal.nextLsn(), id));
            wal.append(mine.record);
            pending.add(mine);
        } finally {
            appendLock.unlock();
        }
        commit(mine.record.lsn());
        applyLock.lock(); // the applier wrote the outcome under this lock
        try {
            return mine.existed;
        } finally {
            applyLock.unlock();
        }
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

    static void validateId(String id) {
        if (id == null || id.isEmpty()) throw new PoiskException(ErrorCode.INVALID_DOCUMENT, "document id must be a non-empty string");
        if (id.indexOf('\u0000') >= 0) throw new PoiskException(ErrorCode.INVALID_DOCUMENT, "document id must not contain NUL characters");
    }

    /** Waits for the group-commit fsync, then applies every durable pending record up to {@code lsn} in log order. */
    private void commit(long lsn) throws IOException {
        wal.awaitDurable(lsn);
        applyLock.lock();
        try {
            if (appliedLsn >= lsn) return;
            List<PendingRecord> batch = new ArrayList<>();
            for (PendingRecord r = pending.peek(); r != null && r.record.lsn() <= lsn; r = pending.peek()) batch.add(pending.poll());
            apply(batch);
            if (!batch.isEmpty()) appliedLsn = batch.getLast().record.lsn();
        } finally {
            applyLock.unlock();
        }
    }

    /** Applies records in order to the location table, the document map and the live segment. Under applyLock. */
    private void apply(List<PendingRecord> batch) throws IOException {
        LiveSegment target = segments.live();
        int[] added = new int[batch.size()];
        int n = 0;
        for (PendingRecord p : batch) {
            switch (p.record) {
                case WalRecord.Upsert u -> {
                    segments.tombstone(u.id());
                    int ordinal = target.add(u.id(), u.vector(), DocumentCodec.decode(u.document()));
                    segments.locate(u.id(), target, ordinal);
                    documents.put(u.id(), u.document());
                    added[n++] = ordinal;
                }
                case WalRecord.Delete d -> {
                    p.existed = segments.tombstone(d.id());
                    documents.remove(d.id());
                }
            }
        }
        target.insert(Arrays.copyOf(added, n));
    }

    /**
     * Applies everything appended so far, freezes the live segment (when it holds anything) and
     * starts a new log file, all with appends held off, so the frozen segment plus the older log
     * files hold exactly the records up to the returned cut. Returns null when nothing was written
     * after {@code coveredLsn}. Takes milliseconds: one fsync and a pointer swap.
     */
    Frozen freeze(long coveredLsn) throws IOException {
        appendLock.lock();
        try {
            commit(wal.lastLsn());
            applyLock.lock();
            try {
                long cut = appliedLsn;
                if (cut == coveredLsn) return null;
                LiveSegment frozen = segments.live().size() > 0 ? segments.freezeLive() : null;
                wal.roll();
                return new Frozen(frozen, cut);
            } finally {
                applyLock.unlock();
            }
        } finally {
            appendLock.unlock();
        }
    }

    /** Runs {@code action} with record application paused: segment swaps must not interleave with it. */
    void holdingApply(Runnable action) {
        applyLock.lock();
        try {
            action.run();
        } finally {
            applyLock.unlock();
        }
    }

    /** Deletes the log files every record of which is covered by a durable manifest. */
    void dropLogUpTo(long coveredLsn) throws IOException {
        wal.deleteCovered(coveredLsn);
    }

    /** The LSN of the last appended record. */
    long lastAppendedLsn() {
        appendLock.lock();
        try {
            return wal.lastLsn();
        } finally {
            appendLock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) throw new PoiskException(ErrorCode.UNAVAILABLE, "collection '" + schema.name() + "' is closed");
    }

    /** Refuses further writes and closes the log; a writer already past its append finishes first. */
    @Override
    public void close() throws IOException {
        appendLock.lock();
        try {
            closed = true;
            if (wal != null) wal.close();
        } finally {
            appendLock.unlock();
        }
    }
}
