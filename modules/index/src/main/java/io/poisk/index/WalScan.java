package io.poisk.index;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads a collection's log files at open, in LSN order, and hands every intact record after the
 * manifest's coverage to the replay. It tells the three ways a log can end badly apart:
 * <ul>
 *   <li>a torn tail (bad bytes at the very end of the last file, nothing intact behind them): the write
 *       that made them was never acknowledged, so they are cut off;</li>
 *   <li>damage (a bad frame with intact frames behind it, a frame with the wrong LSN, a bad file header,
 *       missing files): never cut; replay stops before it and the result carries a {@link WalDamage};</li>
 *   <li>a file of a newer format: refused with a {@link WalFormat.WalVersionException}.</li>
 * </ul>
 */
final class WalScan {
    private static final Logger log = LoggerFactory.getLogger(WalScan.class);

    /** Receives each intact record to replay, in LSN order. */
    interface Replay {
        void accept(long lsn, byte[] payload, Path file) throws IOException;
    }

    /**
     * @param lastLsn        the last LSN the log (or the manifest) holds
     * @param damage         null when the log is whole
     * @param appendFile     the last file when appends may continue in it (version 2, ends at {@code lastLsn}); else null
     * @param appendPosition where the next frame goes in {@code appendFile}
     */
    record Result(long lastLsn, WalDamage damage, Path appendFile, long appendPosition) {
    }

    private final int maxPayload;
    private final long coveredLsn;
    private final Replay replay;
    private long prev;        // LSN of the last intact record read
    private WalDamage damage;

    private WalScan(int maxPayload, long coveredLsn, Replay replay) {
        this.maxPayload = maxPayload;
        this.coveredLsn = coveredLsn;
        this.replay = replay;
    }

    static Result run(Path dir, List<Path> files, long coveredLsn, int maxPayload, Replay replay) throws IOException {
        return new WalScan(maxPayload, coveredLsn, replay).scan(dir, files);
    }

    private Result scan(Path dir, List<Path> files) throws IOException {
        if (files.isEmpty()) {
            // A collection always has a current log file from its creation on; none at all means files were removed.
            if (coveredLsn > 0) {
                damage = new WalDamage(dir, -1, coveredLsn + 1, -1, "the log folder has no file; the file holding the records"
                        + " after LSN " + coveredLsn + " is missing");
            }
            return new Result(coveredLsn, damage, null, 0);
        }
        Path appendFile = null;
        long appendPosition = 0;
        for (int i = 0; i < files.size() && damage == null; i++) {
            Path f = files.get(i);
            long first = WriteAheadLog.firstLsnOf(f);
            if (!continues(f, first, i == 0)) break;
            prev = first - 1;
            boolean isLast = i == files.size() - 1;
            long[] end = new long[1];
            int version = scanFile(f, first, isLast, end);
            if (isLast && damage == null && version == WalFormat.VERSION && prev >= coveredLsn) {
                appendFile = f;
                appendPosition = end[0];
            }
        }
        return new Result(Math.max(prev, coveredLsn), damage, appendFile, appendPosition);
    }

    /** Whether file {@code f} starting at {@code first} follows what was read so far; records a gap as damage. */
    private boolean continues(Path f, long first, boolean isFirst) {
        long needed = isFirst ? coveredLsn + 1 : prev + 1;
        if (first == needed || (isFirst && first < needed)) return true;
        if (first < needed) {
            damage = new WalDamage(f, 0, first, prev, "file starts at LSN " + first + " but the file before it reaches LSN " + prev);
            return false;
        }
        if (first - 1 <= coveredLsn) {
            log.info("write-ahead log: no file holds LSN {}..{}; the segments cover them", needed, first - 1);
            return true;
        }
        long from = Math.max(needed, coveredLsn + 1);
        damage = new WalDamage(f, -1, from, first - 1, "log file(s) missing: no file holds LSN " + from + ".." + (first - 1)
                + " (the manifest covers up to LSN " + coveredLsn + ")");
        return false;
    }

    /** Reads one file; returns its format version and sets {@code end[0]} to the end of its last intact frame. */
    private int scanFile(Path f, long first, boolean isLast, long[] end) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size == 0) return 0; // created, nothing written: holds no record
            WalFormat.FileHeader header;
            try {
                header = WalFormat.readHeader(ch, size);
            } catch (WalFormat.WalVersionException e) {
                throw new WalFormat.WalVersionException("write-ahead log " + f + " was " + e.getMessage());
            }
            if (header == null) {
                if (size < WalFormat.HEADER_BYTES) {
                    log.warn("write-ahead log {}: torn file header ({} bytes); it holds no record", f, size);
                    return 0;
                }
                damage = new WalDamage(f, 0, first, -1, "damaged file header");
                return 0;
            }
            if (header.firstLsn() >= 0 && header.firstLsn() != first) {
                damage = new WalDamage(f, 0, first, -1, "file header says it starts at LSN " + header.firstLsn() + ", its name says " + first);
                return header.version();
            }
            long pos = header.bytes();
            while (pos < size) {
                WalFormat.Read read = WalFormat.readFrame(ch, pos, size, header.version(), maxPayload);
                if (read instanceof WalFormat.Frame frame) {
                    if (frame.lsn() != prev + 1) {
                        damage = new WalDamage(f, pos, prev + 1, -1, "intact frame with LSN " + frame.lsn() + " where LSN "
                                + (prev + 1) + " belongs (a misplaced or overwritten frame)");
                        break;
                    }
                    prev = frame.lsn();
                    if (prev > coveredLsn) replay.accept(prev, frame.payload(), f);
                    pos += frame.bytes();
                    continue;
                }
                String problem = ((WalFormat.Bad) read).problem();
                WalFormat.Found next = WalFormat.findFrame(ch, pos + 1, size, header.version(), maxPayload, prev);
                if (next != null) {
                    damage = new WalDamage(f, pos, prev + 1, next.lsn() - 1, problem + ", with an intact record (LSN "
                            + next.lsn() + ") at offset " + next.offset() + " behind it");
                } else if (isLast) {
                    log.warn("write-ahead log {}: {} at offset {}; cutting {} tail bytes (a write that was never acknowledged)",
                            f, problem, pos, size - pos);
                    ch.truncate(pos);
                    ch.force(true);
                } else {
                    // The next file must start at prev + 1 (checked by continues()): an append that failed before a roll.
                    log.warn("write-ahead log {}: {} at offset {} of an older file ({} bytes never acknowledged); the next file"
                            + " goes on from LSN {}", f, problem, pos, size - pos, prev + 1);
                }
                break;
            }
            end[0] = pos;
            return header.version();
        }
    }
}
