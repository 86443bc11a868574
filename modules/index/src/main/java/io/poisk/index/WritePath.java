package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.DocumentCodec;
import io.poisk.core.DocumentPatch;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write path of one collection: admission (only what the index can apply enters the log), appending
 * to the write-ahead log, and applying durable records to memory (location table, document map, live
 * segment) in log order. A failed append or fsync fails every record not yet durable and cuts the log
 * back before the next append; a full disk is a 507, and writes resume once there is room.
 *
 * <p>A writer appends its records under {@code appendLock}, waits for the group-commit fsync, then
 * the records are applied under {@code applyLock} (whoever holds it applies every durable pending
 * record). Nothing in memory ever reflects a record that is not durable, so any state written later
 * (segments, tombstones) is safe to replay over. Lock order: appendLock, then applyLock.
 */
final class WritePath implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WritePath.class);
    private static final int REPLAY_BATCH = 512;

    /** A live segment frozen for flushing (null when it was empty) and the last LSN it reflects. */
    record Frozen(LiveSegment segment, long cutLsn) {
    }

    private final CollectionSchema schema;
    private final IndexOptions opts;
    private final SegmentSet segments;
    /** Replaced (never mutated) when a typed field is declared; read by every append. */
    private volatile DocumentAdmission admission;
    private final DiskSpace disk;
    private final QuarantineFile quarantine;
    private final RecordApplier applier;
    private WriteAheadLog wal;

    private final ReentrantLock appendLock = new ReentrantLock();
    private final ReentrantLock applyLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<RecordApplier.Pending> pending = new ConcurrentLinkedQueue<>();
    private long appliedLsn;
    private boolean closed; // guarded by appendLock
    /** Why writes are refused (a damaged log, a record that failed to apply), or null. */
    private volatile String readOnlyReason;

    WritePath(CollectionSchema schema, IndexOptions opts, DocumentStore documents, SegmentSet segments,
              DocumentAdmission admission, DiskSpace disk, QuarantineFile quarantine) {
        this.schema = schema;
        this.opts = opts;
        this.segments = segments;
        this.admission = admission;
        this.disk = disk;
        this.quarantine = quarantine;
        this.applier = new RecordApplier(documents, segments);
    }

    /**
     * Opens the log and replays every record after {@code coveredLsn} into the live segment. A record that
     * cannot be applied is quarantined and replay goes on; a damaged log makes the collection read-only.
     */
    void openLog(Path walDir, long coveredLsn) throws IOException {
        appliedLsn = coveredLsn;
        List<RecordApplier.Pending> batch = new ArrayList<>();
        wal = WriteAheadLog.open(walDir, coveredLsn, maxRecordBytes(), opts.walGroupCommitMs(), (lsn, payload, file) -> {
            WalRecord rec = null;
            String problem;
            try {
                rec = WalRecord.decode(java.nio.ByteBuffer.wrap(payload));
                problem = rec.lsn() == lsn ? admission.problemOf(rec) : "payload carries LSN " + rec.lsn();
            } catch (IllegalArgumentException e) {
                problem = "undecodable record: " + e.getMessage();
            }
            if (problem == null) {
                batch.add(new RecordApplier.Pending(rec));
                if (batch.size() >= REPLAY_BATCH) applyReplayed(batch);
                return;
            }
            applyReplayed(batch); // in log order: what came before is applied first
            quarantine(lsn, rec == null ? "?" : rec.id(), problem, file, payload);
        });
        applyReplayed(batch);
        if (wal.damage() != null) readOnlyReason = wal.damage().describe();
    }

    /** Applies a replayed batch; a record the document map refuses is quarantined and the rest applied. */
    private void applyReplayed(List<RecordApplier.Pending> batch) throws IOException {
        while (!batch.isEmpty()) {
            try {
                applier.apply(batch);
                appliedLsn = batch.getLast().record.lsn();
                batch.clear();
            } catch (RecordApplier.Unapplicable e) {
                WalRecord bad = batch.get(e.index).record;
                quarantine(bad.lsn(), bad.id(), e.getMessage(), null, WalRecord.encode(bad));
                batch.subList(0, e.index + 1).clear();
            }
        }
    }

    private void quarantine(long lsn, String id, String problem, Path file, byte[] payload) throws IOException {
        quarantine.add(lsn, id, problem, file, payload);
        log.error("collection '{}': log record LSN {} (document '{}') cannot be applied: {}; kept in {} and skipped,"
                + " replay goes on", schema.name(), lsn, DocumentAdmission.shortId(id), problem, QuarantineFile.FILE);
        appliedLsn = lsn;
    }

    /** At least 64 MiB: a record logged under a larger max_document_bytes must still read as a record, not as damage. */
    private int maxRecordBytes() {
        return (int) Math.min(Integer.MAX_VALUE - 64, Math.max(64L << 20,
                2L * opts.maxDocumentBytes() + 4L * schema.dimension() + 4L * DocumentAdmission.MAX_ID_BYTES + 1024));
    }

    /** Appends the documents to the log and returns once they are durable and applied. */
    void upsert(List<EmbeddedDocument> docs) throws IOException {
        List<byte[]> encoded = new ArrayList<>(docs.size());
        for (EmbeddedDocument d : docs) encoded.add(admission.admit(d));
        disk.checkRoom();
        long last = -1;
        long epoch;
        appendLock.lock();
        try {
            epoch = prepareAppend();
            List<RecordApplier.Pending> mine = new ArrayList<>(docs.size());
            for (int i = 0; i < docs.size(); i++) {
                EmbeddedDocument d = docs.get(i);
                WalRecord rec = new WalRecord.Upsert(wal.nextLsn(), d.document().id(), encoded.get(i), copy(d.passages()));
                append(rec);
                mine.add(new RecordApplier.Pending(rec));
                last = rec.lsn();
            }
            pending.addAll(mine);
        } finally {
            appendLock.unlock();
        }
        commit(last, epoch);
    }

    /**
     * The applied document and its stored vector, read together under the apply lock so the two agree
     * (an upsert landing in between cannot pair one text with another's vector); null when there is none.
     */
    EmbeddedDocument stored(String id) {
        applyLock.lock();
        try {
            return appliedState(id);
        } finally {
            applyLock.unlock();
        }
    }

    /** Under applyLock: the applied document and vector of {@code id}, or null. */
    private EmbeddedDocument appliedState(String id) {
        if (!segments.contains(id)) return null;
        var bytes = applier.documents().get(id);
        List<PassageVector> vector = segments.vectorOf(id);
        if (bytes.isEmpty() || vector == null) return null;
        return new EmbeddedDocument(DocumentCodec.decode(bytes.get()), vector);
    }

    /**
     * Merges field patches into the stored documents and logs each result as an ordinary upsert carrying the
     * document's stored vector (no inference; replay is unchanged). The current state of each id is read with
     * appends held off and application paused: the last appended record for it (applied or still pending),
     * so a patch follows every write logged before it and a document deleted before it stays deleted.
     * Returns, per patch, whether its document existed; durable and applied on return.
     */
    boolean[] patch(List<DocumentPatch> patches) throws IOException {
        for (DocumentPatch p : patches) DocumentAdmission.checkId(p.id());
        disk.checkRoom();
        boolean[] found = new boolean[patches.size()];
        long last = -1;
        long epoch;
        appendLock.lock();
        try {
            epoch = prepareAppend();
            List<EmbeddedDocument> next = new ArrayList<>(patches.size());
            applyLock.lock();
            try {
                // Later records of an id win: pending ones over applied state, this batch's over both.
                Map<String, WalRecord> latest = new HashMap<>();
                for (RecordApplier.Pending r : pending) latest.put(r.record.id(), r.record);
                Map<String, EmbeddedDocument> batch = new HashMap<>();
                for (DocumentPatch p : patches) {
                    EmbeddedDocument current = batch.containsKey(p.id()) ? batch.get(p.id()) : switch (latest.get(p.id())) {
                        case null -> appliedState(p.id());
                        case WalRecord.Delete d -> null;
                        case WalRecord.Upsert u -> new EmbeddedDocument(DocumentCodec.decode(u.document()), u.passages());
                    };
                    if (current == null) {
                        next.add(null);
                        continue;
                    }
                    EmbeddedDocument patched = new EmbeddedDocument(p.applyTo(current.document()), current.passages());
                    batch.put(p.id(), patched);
                    next.add(patched);
                }
            } finally {
                applyLock.unlock();
            }
            // Every patched document is admitted before any is logged: one bad field refuses the whole request.
            List<byte[]> encoded = new ArrayList<>(next.size());
            for (EmbeddedDocument d : next) encoded.add(d == null ? null : admission.admit(d));
            List<RecordApplier.Pending> mine = new ArrayList<>(next.size());
            for (int i = 0; i < next.size(); i++) {
                EmbeddedDocument d = next.get(i);
                if (d == null) continue;
                found[i] = true;
                WalRecord rec = new WalRecord.Upsert(wal.nextLsn(), d.document().id(), encoded.get(i), copy(d.passages()));
                append(rec);
                mine.add(new RecordApplier.Pending(rec));
                last = rec.lsn();
            }
            pending.addAll(mine);
        } finally {
            appendLock.unlock();
        }
        if (last >= 0) commit(last, epoch);
        return found;
    }

    /** Appends deletes of {@code ids} as one group and returns, once durable and applied, how many existed. */
    int deleteAll(List<String> ids) throws IOException {
        if (ids.isEmpty()) return 0;
        for (String id : ids) DocumentAdmission.checkId(id);
        disk.checkRoom();
        List<RecordApplier.Pending> mine = new ArrayList<>(ids.size());
        long epoch;
        appendLock.lock();
        try {
            epoch = prepareAppend();
            for (String id : ids) {
                RecordApplier.Pending p = new RecordApplier.Pending(new WalRecord.Delete(wal.nextLsn(), id));
                append(p.record);
                mine.add(p);
            }
            pending.addAll(mine);
        } finally {
            appendLock.unlock();
        }
        commit(mine.getLast().record.lsn(), epoch);
        applyLock.lock(); // the applier wrote the outcomes under this lock
        try {
            int existed = 0;
            for (RecordApplier.Pending p : mine) if (p.existed) existed++;
            return existed;
        } finally {
            applyLock.unlock();
        }
    }

    /**
     * Appends a delete and returns once it is durable and applied. Whether the document existed is
     * decided when the record is applied, so it agrees with log order: an upsert of the same id
     * appended just before counts, one appended just after does not.
     */
    boolean delete(String id) throws IOException {
        DocumentAdmission.checkId(id);
        disk.checkRoom();
        RecordApplier.Pending mine;
        long epoch;
        appendLock.lock();
        try {
            epoch = prepareAppend();
            mine = new RecordApplier.Pending(new WalRecord.Delete(wal.nextLsn(), id));
            append(mine.record);
            pending.add(mine);
        } finally {
            appendLock.unlock();
        }
        commit(mine.record.lsn(), epoch);
        applyLock.lock(); // the applier wrote the outcome under this lock
        try {
            return mine.existed;
        } finally {
            applyLock.unlock();
        }
    }

    /** Under appendLock: refuses when closed or read-only, cuts the log back after an earlier failure; returns the epoch. */
    private long prepareAppend() throws IOException {
        checkOpen();
        String reason = readOnlyReason;
        if (reason != null) {
            throw new PoiskException(ErrorCode.COLLECTION_READ_ONLY, "collection '" + schema.name() + "' is read-only: " + reason);
        }
        if (wal.failed()) {
            try {
                wal.recover();
            } catch (IOException e) {
                throw storageFailure("cutting the write-ahead log back after a failed write", e);
            }
            applyLock.lock();
            try {
                long durable = wal.durableLsn();
                pending.removeIf(p -> p.record.lsn() > durable); // cut from the log: never applied, never acknowledged
            } finally {
                applyLock.unlock();
            }
        }
        return wal.epoch();
    }

    /** Under appendLock: appends one record; a failure cuts the log back at once (or on the next write) and is thrown. */
    private void append(WalRecord rec) throws IOException {
        try {
            wal.append(rec);
        } catch (IOException e) {
            try {
                prepareAppend();
            } catch (IOException | RuntimeException again) {
                e.addSuppressed(again); // still failing: the next write tries again before it appends
            }
            throw storageFailure("appending to the write-ahead log", e);
        }
    }

    /** A 507 when the disk is full, else the failure as it is (a 500). */
    private IOException storageFailure(String what, IOException e) {
        PoiskException full = DiskSpace.fullDiskError(schema.name(), what, e);
        if (full != null) throw full;
        return e;
    }

    /** Waits for the group-commit fsync, then applies every durable pending record up to {@code lsn} in log order. */
    private void commit(long lsn, long epoch) throws IOException {
        try {
            wal.awaitDurable(lsn, epoch);
        } catch (IOException e) {
            throw storageFailure("making the write-ahead log durable", e);
        }
        applyLock.lock();
        try {
            if (appliedLsn >= lsn) return;
            List<RecordApplier.Pending> batch = new ArrayList<>();
            for (RecordApplier.Pending r = pending.peek(); r != null && r.record.lsn() <= lsn; r = pending.peek()) batch.add(pending.poll());
            try {
                applier.apply(batch);
            } catch (IOException | RuntimeException | Error e) {
                // Memory may now reflect part of the batch; the log has all of it, so a reopen replays it whole.
                readOnlyReason = "applying log records " + batch.getFirst().record.lsn() + ".." + batch.getLast().record.lsn()
                        + " failed (" + e + "); the log holds them and a reopen applies them";
                log.error("collection '{}': {}", schema.name(), readOnlyReason, e);
                if (e instanceof IOException io) throw storageFailure("applying a write", io);
                PoiskException full = DiskSpace.fullDiskError(schema.name(), "applying a write", e);
                if (full != null) throw full;
                throw e;
            }
            if (!batch.isEmpty()) appliedLsn = batch.getLast().record.lsn();
        } finally {
            applyLock.unlock();
        }
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
            long epoch = prepareAppend();
            commit(wal.lastLsn(), epoch);
            applyLock.lock();
            try {
                long cut = appliedLsn;
                if (cut == coveredLsn) return null;
                LiveSegment frozen = segments.live().size() > 0 ? segments.freezeLive() : null;
                try {
                    wal.roll();
                } catch (IOException e) { // the current file then holds records on both sides of the cut until a later roll
                    log.warn("collection '{}': starting a new log file failed ({}); the current one goes on", schema.name(), e.toString());
                }
                return new Frozen(frozen, cut);
            } finally {
                applyLock.unlock();
            }
        } finally {
            appendLock.unlock();
        }
    }

    /** Work done while the write path is paused at a log position. */
    interface PausedAction<T> {
        T run(long appliedLsn) throws IOException;
    }

    /**
     * Applies everything appended so far, then runs {@code action} with appends and application held off, so
     * memory (document map, locations) and the log files reflect exactly the records up to the LSN it is given.
     * Writers wait meanwhile: keep the action short (a snapshot copies the document map here).
     */
    <T> T paused(PausedAction<T> action) throws IOException {
        appendLock.lock();
        try {
            long epoch = prepareAppend();
            commit(wal.lastLsn(), epoch);
            applyLock.lock();
            try {
                return action.run(appliedLsn);
            } finally {
                applyLock.unlock();
            }
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Runs {@code action} with every appended record applied and further appends held off, so memory is the
     * whole log and stays so until it returns (declaring a typed field checks and swaps under it).
     */
    void holdingAppends(PausedAction<Void> action) throws IOException {
        paused(action);
    }

    /** From now on new writes are admitted against these declared fields (under {@link #holdingAppends}). */
    void admitFields(DocumentAdmission next) {
        admission = next;
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

    /** Why writes are refused, or null. */
    String readOnlyReason() {
        return readOnlyReason;
    }

    List<QuarantinedRecord> quarantined() {
        return quarantine.records();
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

    /** The log keeps its own copies: a caller may reuse its arrays once the write returns. */
    private static List<PassageVector> copy(List<PassageVector> passages) {
        List<PassageVector> out = new ArrayList<>(passages.size());
        for (PassageVector p : passages) out.add(p.withVector(p.vector().clone()));
        return out;
    }
}
