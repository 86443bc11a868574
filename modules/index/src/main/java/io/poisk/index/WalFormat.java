package io.poisk.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The byte layout of write-ahead log files ({@code <first LSN, 20 digits>.log}).
 *
 * <p>Version 2, written by this build: a {@value #HEADER_BYTES}-byte file header {@code [int magic "PWAL"]
 * [int version][long first LSN][int CRC32C of the 16 bytes before]}, then frames {@code [int frame marker]
 * [int payload length][long LSN][int CRC32C of length, LSN and payload][payload]}. The marker lets a reader
 * find intact frames behind damaged bytes (so damage in the middle is told from a torn tail), and the LSN in
 * each frame makes gaps and misplaced frames detectable.
 *
 * <p>Version 1, written before the log had a version: no header, frames {@code [int payload length]
 * [int CRC32C of length+payload][payload]}, the LSN only inside the payload. Read, never written: a log
 * that ends in such a file is continued in a new version-2 file.
 */
final class WalFormat {
    static final int FILE_MAGIC = 0x5057414C; // "PWAL"; a version-1 file starts with a record length far below it
    static final int LEGACY_VERSION = 1;
    static final int VERSION = 2;
    static final int HEADER_BYTES = 20;
    static final int FRAME_MARKER = 0xF7A1C35E;
    static final int FRAME_HEADER = 20;
    static final int LEGACY_FRAME_HEADER = 8;

    private WalFormat() {
    }

    /** A file's version and where its frames start; {@code firstLsn} is -1 for version 1, which does not record it. */
    record FileHeader(int version, long firstLsn, int bytes) {
    }

    /** What is at a position: an intact frame, or why there is none. */
    sealed interface Read {
    }

    record Frame(long lsn, byte[] payload, int bytes) implements Read {
    }

    record Bad(String problem) implements Read {
    }

    /** An intact frame found behind damaged bytes. */
    record Found(long offset, long lsn) {
    }

    static ByteBuffer header(long firstLsn) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).putInt(FILE_MAGIC).putInt(VERSION).putLong(firstLsn);
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, 16);
        return b.putInt((int) c.getValue()).flip();
    }

    /**
     * Reads a file's header. A file without the magic is version 1; one from a newer build is refused. Returns
     * null when the header is damaged or torn (fewer than {@value #HEADER_BYTES} bytes that start like one).
     */
    static FileHeader readHeader(FileChannel ch, long size) throws IOException {
        if (size < 4) return size == 0 ? new FileHeader(VERSION, -1, 0) : null;
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.limit((int) Math.min(HEADER_BYTES, size));
        readFully(ch, b, 0);
        if (b.getInt(0) != FILE_MAGIC) return new FileHeader(LEGACY_VERSION, -1, 0);
        if (size < HEADER_BYTES) return null;
        int version = b.getInt(4);
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, 16);
        if ((int) c.getValue() != b.getInt(16)) return null;
        if (version > VERSION) {
            throw new WalVersionException("written by a newer Poisk: WAL format " + version + ", this build reads "
                    + LEGACY_VERSION + "-" + VERSION);
        }
        if (version != VERSION) return null;
        return new FileHeader(version, b.getLong(8), HEADER_BYTES);
    }

    static ByteBuffer frame(long lsn, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(FRAME_HEADER + payload.length);
        b.putInt(FRAME_MARKER).putInt(payload.length).putLong(lsn).putInt(crc(payload.length, lsn, payload)).put(payload);
        return b.flip();
    }

    /** The frame at {@code pos} of a file of {@code size} bytes in the given version. */
    static Read readFrame(FileChannel ch, long pos, long size, int version, int maxPayload) throws IOException {
        boolean legacy = version == LEGACY_VERSION;
        int headerBytes = legacy ? LEGACY_FRAME_HEADER : FRAME_HEADER;
        if (size - pos < headerBytes) return new Bad("torn frame header (" + (size - pos) + " bytes)");
        ByteBuffer h = ByteBuffer.allocate(headerBytes);
        readFully(ch, h, pos);
        if (!legacy && h.getInt(0) != FRAME_MARKER) return new Bad("no frame marker");
        int len = h.getInt(legacy ? 0 : 4);
        if (len <= 0 || len > maxPayload) return new Bad("bad record length " + len);
        if (size - pos - headerBytes < len) return new Bad("torn record (" + len + " bytes announced, " + (size - pos - headerBytes) + " present)");
        ByteBuffer payload = ByteBuffer.allocate(len);
        readFully(ch, payload, pos + headerBytes);
        byte[] p = payload.array();
        if (legacy) {
            if (h.getInt(4) != legacyCrc(len, p)) return new Bad("CRC mismatch");
            if (len < 9) return new Bad("record of " + len + " bytes has no LSN");
            return new Frame(ByteBuffer.wrap(p, 1, 8).getLong(), p, headerBytes + len);
        }
        long lsn = h.getLong(8);
        if (h.getInt(16) != crc(len, lsn, p)) return new Bad("CRC mismatch");
        return new Frame(lsn, p, headerBytes + len);
    }

    /**
     * The first intact frame with an LSN above {@code afterLsn} that starts after {@code from}, or null. Finding
     * one behind a bad frame means the bad bytes are damage in the middle of the log, not a torn tail.
     */
    static Found findFrame(FileChannel ch, long from, long size, int version, int maxPayload, long afterLsn) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        for (long base = from; base + 4 <= size; base += chunk.capacity() - 3) { // chunks overlap by 3: no int is missed
            chunk.clear().limit((int) Math.min(chunk.capacity(), size - base));
            readFully(ch, chunk, base);
            for (int i = 0; i + 4 <= chunk.limit(); i++) {
                int v = chunk.getInt(i);
                long q = base + i;
                boolean candidate = version == LEGACY_VERSION ? v > 0 && v <= maxPayload && q + LEGACY_FRAME_HEADER + v <= size
                        : v == FRAME_MARKER;
                if (candidate && readFrame(ch, q, size, version, maxPayload) instanceof Frame f && f.lsn() > afterLsn) {
                    return new Found(q, f.lsn());
                }
            }
        }
        return null;
    }

    static int crc(int len, long lsn, byte[] payload) {
        CRC32C c = new CRC32C();
        c.update(ByteBuffer.allocate(12).putInt(len).putLong(lsn).flip());
        c.update(payload);
        return (int) c.getValue();
    }

    static int legacyCrc(int len, byte[] payload) {
        CRC32C c = new CRC32C();
        c.update(ByteBuffer.allocate(4).putInt(len).flip());
        c.update(payload);
        return (int) c.getValue();
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) throw new IOException("unexpected end of file");
            pos += n;
        }
    }

    /** A log file of a format this build cannot read: the collection is refused, never half-read. */
    static final class WalVersionException extends IOException {
        WalVersionException(String message) {
            super(message);
        }
    }
}
