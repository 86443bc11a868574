package io.poisk.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One write-ahead log entry. The payload carries the log sequence number (LSN), so replay knows
 * which records a flushed segment already covers; an upsert carries the vector, so replay needs no model.
 */
sealed interface WalRecord {
    byte UPSERT = 1;
    byte DELETE = 2;

    long lsn();

    String id();

    record Upsert(long lsn, String id, byte[] document, float[] vector) implements WalRecord {
    }

    record Delete(long lsn, String id) implements WalRecord {
    }

    /** The payload bytes (without the length + CRC frame the log adds). */
    static byte[] encode(WalRecord r) {
        byte[] id = r.id().getBytes(StandardCharsets.UTF_8);
        return switch (r) {
            case Upsert u -> {
                ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + id.length + 4 + u.document().length + 4 + 4 * u.vector().length);
                b.put(UPSERT).putLong(u.lsn()).putInt(id.length).put(id).putInt(u.document().length).put(u.document())
                        .putInt(u.vector().length);
                for (float f : u.vector()) b.putFloat(f);
                yield b.array();
            }
            case Delete d -> {
                ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + id.length);
                b.put(DELETE).putLong(d.lsn()).putInt(id.length).put(id);
                yield b.array();
            }
        };
    }

    /** Decodes a payload whose CRC already matched; a malformed one is an {@link IllegalArgumentException}. */
    static WalRecord decode(ByteBuffer b) {
        try {
            byte type = b.get();
            long lsn = b.getLong();
            String id = readString(b);
            if (type == DELETE) return new Delete(lsn, id);
            if (type != UPSERT) throw new IllegalArgumentException("unknown record type " + type);
            int docLen = b.getInt();
            if (docLen < 0 || docLen > b.remaining()) throw new IllegalArgumentException("bad document length " + docLen);
            byte[] doc = new byte[docLen];
            b.get(doc);
            int dim = b.getInt();
            if (dim < 0 || dim * 4L != b.remaining()) throw new IllegalArgumentException("bad vector length " + dim);
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) v[i] = b.getFloat();
            return new Upsert(lsn, id, doc, v);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated record payload", e);
        }
    }

    private static String readString(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) throw new IllegalArgumentException("bad id length " + len);
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
