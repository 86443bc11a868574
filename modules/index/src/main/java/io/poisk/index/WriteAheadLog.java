package io.poisk.index;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The write-ahead log of one collection: files {@code <first LSN>.log} in {@link WalFormat}.
 *
 * <p>Appends are serialised by the caller; {@link #awaitDurable} is the group commit: the first waiter
 * forces the file for everyone written so far while later waiters block, so concurrent writers share one
 * {@code FileChannel.force}.
 *
 * <p>A failed write (a full disk leaves a partial frame) or a failed fsync (after which the page cache
 * cannot be trusted) fails every record not yet durable, and nothing more is appended until
 * {@link #recover} has cut the file back to the end of the last fsync-ed frame through a fresh file
 * descriptor. Waiters hold the epoch of their append, so a record cut by a recovery is never reported
 * durable because a later record reused its LSN. A log with {@link WalDamage} takes no appends at all.
 */
final class WriteAheadLog implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(WriteAheadLog.class);
    private static final String SUFFIX = ".log";

    private final Path dir;
    private final int maxPayloadBytes;
    private final long groupCommitMs;
    private final WalDamage damage;

    // Append state, guarded by the caller's append serialisation.
    private FileChannel channel;
    private Path currentFile;
    private long position;
    private long lastLsn;

    /** The last complete frame in the channel: what an fsync started now makes durable. */
    private record Written(long lsn, long position) {
    }

    private volatile Written written;

    private final ReentrantLock syncLock = new ReentrantLock();
    private final Condition syncDone = syncLock.newCondition();
    private long durableLsn;       // guarded by syncLock
    private long durablePosition;  // end of the last durable frame in the current file; guarded by syncLock
    private boolean syncing;       // guarded by syncLock
    private IOException failure;   // guarded by syncLock; set until recover() succeeds
    private long epoch;            // changes (under both locks) when a recovery cuts records

    private WriteAheadLog(Path dir, int maxPayloadBytes, long groupCommitMs, WalDamage damage) {
        this.dir = dir;
        this.maxPayloadBytes = maxPayloadBytes;
        this.groupCommitMs = groupCommitMs;
        this.damage = damage;
    }

    /**
     * Opens (or creates) the log in {@code dir}: hands every intact record above {@code coveredLsn} to
     * {@code replay} in order (see {@link WalScan}), then positions for appending, in a new version-2 file
     * when the last one is of version 1. A damaged log opens without a file to append to.
     */
    static WriteAheadLog open(Path dir, long coveredLsn, int maxPayloadBytes, long groupCommitMs, WalScan.Replay replay)
            throws IOException {
        Files.createDirectories(dir);
        WalScan.Result r = WalScan.run(dir, logFiles(dir), coveredLsn, maxPayloadBytes, replay);
        WriteAheadLog wal = new WriteAheadLog(dir, maxPayloadBytes, groupCommitMs, r.damage());
        wal.lastLsn = r.lastLsn();
        wal.durableLsn = r.lastLsn();
        if (r.damage() != null) {
            log.error("{}", r.damage().describe());
            return wal;
        }
        if (r.appendFile() != null) {
            wal.channel = FileChannel.open(r.appendFile(), StandardOpenOption.WRITE, StandardOpenOption.READ);
            wal.currentFile = r.appendFile();
            wal.position = r.appendPosition();
        } else {
            wal.switchTo(wal.startFile(r.lastLsn() + 1));
        }
        wal.durablePosition = wal.position;
        wal.written = new Written(wal.lastLsn, wal.position);
        return wal;
    }

    /** Null when the log is whole; else the damage that keeps it from taking appends. */
    WalDamage damage() {
        return damage;
    }

    /** The LSN the next appended record must carry. Callers serialise appends. */
    long nextLsn() {
        return lastLsn + 1;
    }

    long lastLsn() {
        return lastLsn;
    }

    /** Changes whenever a recovery cuts records; callers serialise appends and read it with them. */
    long epoch() {
        return epoch;
    }

    long durableLsn() {
        syncLock.lock();
        try {
            return durableLsn;
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * Appends one record (not yet durable) and returns the epoch to wait with. Callers serialise appends,
     * give LSNs from {@link #nextLsn} and call {@link #recover} first when {@link #failed}.
     */
    long append(WalRecord record) throws IOException {
        if (damage != null) throw new IllegalStateException("the log is damaged and takes no appends");
        if (record.lsn() != lastLsn + 1) throw new IllegalStateException("LSN " + record.lsn() + " out of order after " + lastLsn);
        if (failed()) throw new IllegalStateException("append after a failure without recover()");
        byte[] payload = WalRecord.encode(record);
        if (payload.length > maxPayloadBytes) throw new IllegalArgumentException("log record too large: " + payload.length + " bytes");
        ByteBuffer frame = WalFormat.frame(record.lsn(), payload);
        long pos = position;
        try {
            while (frame.hasRemaining()) pos += channel.write(frame, pos);
        } catch (IOException e) {
            fail(e); // a partial frame may be in the file: recover() cuts it before anything else is written
            throw e;
        }
        position = pos;
        lastLsn = record.lsn();
        written = new Written(lastLsn, pos);
        return epoch;
    }

    private void fail(IOException e) {
        syncLock.lock();
        try {
            if (failure == null) failure = e;
            syncDone.signalAll();
        } finally {
            syncLock.unlock();
        }
    }

    boolean failed() {
        syncLock.lock();
        try {
            return failure != null;
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * After a failed write or fsync: cuts the current file back to the end of the last durable frame through a
     * new file descriptor and forces that, so no byte of a record that was not acknowledged stays. Every record
     * above {@link #durableLsn} is gone afterwards. Callers hold appends off. Throws (and stays failed) when the
     * cut cannot be made durable; a later call tries again.
     */
    void recover() throws IOException {
        syncLock.lock();
        try {
            while (syncing) syncDone.awaitUninterruptibly();
            if (failure == null) return;
            FileChannel fresh = FileChannel.open(currentFile, StandardOpenOption.WRITE, StandardOpenOption.READ);
            try {
                fresh.truncate(durablePosition);
                fresh.force(true);
            } catch (IOException e) {
                fresh.close();
                throw e;
            }
            closeQuietly(channel);
            channel = fresh;
            log.warn("write-ahead log {}: cut back to offset {} (LSN {}) after a failed write or fsync; nothing after it was"
                    + " acknowledged", currentFile, durablePosition, durableLsn);
            position = durablePosition;
            lastLsn = durableLsn;
            written = new Written(lastLsn, position);
            epoch++;
            failure = null;
            syncDone.signalAll();
        } finally {
            syncLock.unlock();
        }
    }

    /** Blocks until every record up to {@code lsn}, appended in {@code appendEpoch}, is on the device (group commit). */
    void awaitDurable(long lsn, long appendEpoch) throws IOException {
        syncLock.lock();
        try {
            while (true) {
                if (appendEpoch != epoch) throw notDurable(lsn, null);
                if (durableLsn >= lsn) return;
                if (failure != null) throw notDurable(lsn, failure);
                if (syncing) {
                    syncDone.await();
                    continue;
                }
                syncing = true;
                Written target = null;
                IOException error = null;
                syncLock.unlock();
                try {
                    if (groupCommitMs > 0) Thread.sleep(groupCommitMs);
                    target = written;
                    channel.force(false);
                } catch (IOException e) {
                    error = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    error = new InterruptedIOException("interrupted while waiting for the log fsync");
                } finally {
                    syncLock.lock();
                    syncing = false;
                    if (error == null) {
                        durableLsn = Math.max(durableLsn, target.lsn());
                        durablePosition = Math.max(durablePosition, target.position());
                    } else if (target != null && failure == null) {
                        failure = error; // the fsync itself failed: what it covered cannot be trusted
                    }
                    syncDone.signalAll();
                }
                if (error != null) throw notDurable(lsn, error);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the log fsync");
        } finally {
            syncLock.unlock();
        }
    }

    private static IOException notDurable(long lsn, IOException cause) {
        String why = cause == null ? "it was cut after a failed log write" : cause.getMessage();
        return new IOException("write-ahead log record " + lsn + " was not made durable (" + why + "); not acknowledged", cause);
    }

    /**
     * Starts a new file at the next LSN, so that older files can be deleted once a flush covers them. Callers
     * hold appends off and have made everything appended durable. On failure the current file is kept.
     */
    void roll() throws IOException {
        syncLock.lock();
        try {
            while (syncing) syncDone.awaitUninterruptibly();
            if (failure != null || durableLsn < lastLsn) throw new IllegalStateException("roll with records not durable");
            FileChannel old = channel;
            switchTo(startFile(lastLsn + 1));
            durablePosition = position;
            written = new Written(lastLsn, position);
            closeQuietly(old);
        } finally {
            syncLock.unlock();
        }
    }

    private void switchTo(Path file) throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        currentFile = file;
        position = WalFormat.HEADER_BYTES;
    }

    /** Creates {@code <firstLsn>.log} with its header, durably and whole (written aside, then renamed). */
    private Path startFile(long firstLsn) throws IOException {
        Path f = dir.resolve(String.format("%020d%s", firstLsn, SUFFIX));
        DurableFiles.writeAtomically(f, WalFormat.header(firstLsn).array());
        return f;
    }

    /** Deletes the files whose records all have LSN ≤ {@code coveredLsn} (never the current file). */
    void deleteCovered(long coveredLsn) throws IOException {
        if (damage != null) return;
        List<Path> files = logFiles(dir);
        boolean deleted = false;
        for (int i = 0; i + 1 < files.size(); i++) {
            long nextFirst = firstLsnOf(files.get(i + 1));
            if (nextFirst - 1 <= coveredLsn && !files.get(i).equals(currentFile)) {
                Files.deleteIfExists(files.get(i));
                deleted = true;
            }
        }
        if (deleted) DurableFiles.fsyncDirectory(dir);
    }

    static List<Path> logFiles(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().matches("\\d{20}\\" + SUFFIX)).sorted().forEach(out::add);
        }
        return out;
    }

    static long firstLsnOf(Path f) {
        String n = f.getFileName().toString();
        return Long.parseLong(n.substring(0, n.length() - SUFFIX.length()));
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException e) {
            log.debug("closing a log file failed", e);
        }
    }

    @Override
    public void close() throws IOException {
        FileChannel ch = channel;
        if (ch != null && ch.isOpen()) {
            if (!failed()) ch.force(false);
            ch.close();
        }
    }
}
