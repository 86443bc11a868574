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
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The write-ahead log of one collection: files {@code <first LSN>.log} of frames
 * {@code [int payload length][int CRC32C of length+payload][payload]}.
 *
 * <p>Appends are serialised by the caller; {@link #awaitDurable} is the group commit: the first
 * waiter forces the file for everyone written so far while later waiters block, so concurrent
 * writers share one {@code FileChannel.force}. On open a torn or corrupt tail of the last file
 * is cut off (it was never acknowledged: acknowledgement follows the fsync).
 */
final class WriteAheadLog implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(WriteAheadLog.class);
    static final int FRAME_HEADER = 8;
    private static final String SUFFIX = ".log";

    private final Path dir;
    private final int maxPayloadBytes;
    private final long groupCommitMs;

    private volatile FileChannel channel;
    private Path currentFile;
    private long lastLsn;              // last appended; guarded by the caller's append serialisation
    private volatile long writtenLsn;  // last LSN whose bytes are in the channel

    private final ReentrantLock syncLock = new ReentrantLock();
    private final Condition syncDone = syncLock.newCondition();
    private long durableLsn;
    private boolean syncing;
    private IOException failure;

    private WriteAheadLog(Path dir, int maxPayloadBytes, long groupCommitMs) {
        this.dir = dir;
        this.maxPayloadBytes = maxPayloadBytes;
        this.groupCommitMs = groupCommitMs;
    }

    /**
     * Opens (or creates) the log in {@code dir}, hands every intact record with an LSN above
     * {@code coveredLsn} to {@code replay} in order, cuts off a torn tail, and positions for appending.
     */
    static WriteAheadLog open(Path dir, long coveredLsn, int maxPayloadBytes, long groupCommitMs,
                              Consumer<WalRecord> replay) throws IOException {
        Files.createDirectories(dir);
        WriteAheadLog wal = new WriteAheadLog(dir, maxPayloadBytes, groupCommitMs);
        List<Path> files = wal.logFiles();
        long expected = -1;
        long last = coveredLsn;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            long first = firstLsnOf(f);
            if (expected >= 0 && first != expected) {
                throw new IOException("write-ahead log gap: " + f + " starts at LSN " + first + ", expected " + expected);
            }
            boolean isLast = i == files.size() - 1;
            long end = wal.scan(f, first, coveredLsn, isLast, replay);
            expected = end + 1;
            last = Math.max(last, end);
        }
        wal.lastLsn = last;
        wal.writtenLsn = last;
        wal.durableLsn = last;
        if (files.isEmpty()) {
            wal.startFile(last + 1);
        } else {
            wal.currentFile = files.getLast();
            wal.channel = FileChannel.open(wal.currentFile, StandardOpenOption.WRITE, StandardOpenOption.READ);
            wal.channel.position(wal.channel.size());
        }
        return wal;
    }

    /** Reads one file; returns the LSN of its last intact record (first - 1 when empty). */
    private long scan(Path file, long firstLsn, long coveredLsn, boolean isLast, Consumer<WalRecord> replay) throws IOException {
        long lsn = firstLsn - 1;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER);
            while (pos < size) {
                String problem = null;
                WalRecord rec = null;
                if (size - pos < FRAME_HEADER) {
                    problem = "torn frame header";
                } else {
                    header.clear();
                    readFully(ch, header, pos);
                    header.flip();
                    int len = header.getInt();
                    int crc = header.getInt();
                    if (len <= 0 || len > maxPayloadBytes) problem = "bad record length " + len;
                    else if (size - pos - FRAME_HEADER < len) problem = "torn record (" + len + " bytes announced)";
                    else {
                        ByteBuffer payload = ByteBuffer.allocate(len);
                        readFully(ch, payload, pos + FRAME_HEADER);
                        if (crc(len, payload.array()) != crc) problem = "CRC mismatch";
                        else {
                            try {
                                rec = WalRecord.decode(payload.flip());
                                if (rec.lsn() != lsn + 1) problem = "LSN " + rec.lsn() + " where " + (lsn + 1) + " was expected";
                            } catch (IllegalArgumentException e) {
                                problem = "undecodable record: " + e.getMessage();
                            }
                        }
                        if (problem == null) pos += FRAME_HEADER + len;
                    }
                }
                if (problem != null) {
                    if (!isLast) throw new IOException("write-ahead log " + file + " is corrupt at offset " + pos + ": " + problem);
                    log.warn("write-ahead log {}: {} at offset {}; dropping {} tail bytes (never acknowledged)",
                            file, problem, pos, size - pos);
                    ch.truncate(pos);
                    ch.force(true);
                    break;
                }
                lsn = rec.lsn();
                if (lsn > coveredLsn) replay.accept(rec);
            }
        }
        return lsn;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of file");
            pos += n;
        }
    }

    static int crc(int len, byte[] payload) {
        CRC32C c = new CRC32C();
        c.update(ByteBuffer.allocate(4).putInt(len).flip());
        c.update(payload);
        return (int) c.getValue();
    }

    /** The LSN the next appended record must carry. Callers serialise appends. */
    long nextLsn() {
        return lastLsn + 1;
    }

    /** Appends one record (not yet durable). Callers serialise appends and give LSNs from {@link #nextLsn}. */
    void append(WalRecord record) throws IOException {
        checkFailure();
        if (record.lsn() != lastLsn + 1) throw new IllegalStateException("LSN " + record.lsn() + " out of order after " + lastLsn);
        byte[] payload = WalRecord.encode(record);
        if (payload.length > maxPayloadBytes) throw new IllegalArgumentException("log record too large: " + payload.length + " bytes");
        ByteBuffer frame = ByteBuffer.allocate(FRAME_HEADER + payload.length);
        frame.putInt(payload.length).putInt(crc(payload.length, payload)).put(payload).flip();
        FileChannel ch = channel;
        while (frame.hasRemaining()) ch.write(frame);
        lastLsn = record.lsn();
        writtenLsn = lastLsn;
    }

    /** Blocks until every record up to {@code lsn} is on the device (group commit). */
    void awaitDurable(long lsn) throws IOException {
        syncLock.lock();
        try {
            while (durableLsn < lsn) {
                checkFailure();
                if (syncing) {
                    syncDone.await();
                    continue;
                }
                syncing = true;
                long target = 0;
                IOException error = null;
                syncLock.unlock();
                try {
                    if (groupCommitMs > 0) Thread.sleep(groupCommitMs);
                    target = writtenLsn;
                    channel.force(false);
                } catch (IOException e) {
                    error = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    error = new InterruptedIOException("interrupted while waiting for the log fsync");
                } finally {
                    syncLock.lock();
                    syncing = false;
                    if (error == null) durableLsn = Math.max(durableLsn, target);
                    else if (!(error instanceof InterruptedIOException)) failure = error;
                    syncDone.signalAll();
                }
                if (error != null) throw error;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the log fsync");
        } finally {
            syncLock.unlock();
        }
    }

    long lastLsn() {
        return lastLsn;
    }

    /**
     * Makes everything appended durable and starts a new file at the next LSN, so that older files
     * can be deleted once a flush covers them. Callers hold appends off while this runs.
     */
    void roll() throws IOException {
        awaitDurable(lastLsn);
        syncLock.lock();
        try {
            while (syncing) syncDone.awaitUninterruptibly();
            FileChannel old = channel;
            startFile(lastLsn + 1);
            old.close();
        } finally {
            syncLock.unlock();
        }
    }

    private void startFile(long firstLsn) throws IOException {
        Path f = dir.resolve(String.format("%020d%s", firstLsn, SUFFIX));
        channel = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        channel.position(channel.size());
        currentFile = f;
        DurableFiles.fsyncDirectory(dir);
    }

    /** Deletes the files whose records all have LSN ≤ {@code coveredLsn} (never the current file). */
    void deleteCovered(long coveredLsn) throws IOException {
        List<Path> files = logFiles();
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

    List<Path> logFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().forEach(out::add);
        }
        return out;
    }

    private static long firstLsnOf(Path f) {
        String n = f.getFileName().toString();
        return Long.parseLong(n.substring(0, n.length() - SUFFIX.length()));
    }

    private void checkFailure() throws IOException {
        if (failure != null) throw new IOException("the write-ahead log failed an fsync earlier; reopen the collection", failure);
    }

    @Override
    public void close() throws IOException {
        FileChannel ch = channel;
        if (ch != null && ch.isOpen()) {
            if (failure == null) ch.force(false);
            ch.close();
        }
    }
}
