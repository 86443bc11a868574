package io.poisk.index;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One write-ahead log entry. The payload carries the log sequence number (LSN), so replay knows
 * which records a flushed segment already covers; an upsert carries its vectors, so replay needs no model.
 *
 * <p>Record types: {@link #UPSERT} (one vector for the whole text; the only upsert older builds wrote, still
 * written for such documents), {@link #DELETE}, and {@link #UPSERT_PASSAGES} (several passage vectors, each
 * with its character range in the text). A build older than passages refuses a type-3 record as damage.
 */
sealed interface WalRecord {
    byte UPSERT = 1;
    byte DELETE = 2;
    byte UPSERT_PASSAGES = 3;

    long lsn();

    String id();

    record Upsert(long lsn, String id, byte[] document, List<PassageVector> passages) implements WalRecord {
        public Upsert {
            passages = List.copyOf(passages);
            if (passages.isEmpty()) throw new IllegalArgumentException("an upsert needs at least one vector");
        }

        Upsert(long lsn, String id, byte[] document, float[] vector) {
            this(lsn, id, document, List.of(PassageVector.whole(vector)));
        }

        /** The first passage's vector. */
        public float[] vector() {
            return passages.getFirst().vector();
        }
    }

    record Delete(long lsn, String id) implements WalRecord {
    }

    /** The payload bytes (without the length + CRC frame the log adds). */
    static byte[] encode(WalRecord r) {
        byte[] id = r.id().getBytes(StandardCharsets.UTF_8);
        return switch (r) {
            case Upsert u when u.passages().size() == 1 && u.passages().getFirst().isWhole() -> {
                ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + id.length + 4 + u.document().length + 4 + 4 * u.vector().length);
                b.put(UPSERT).putLong(u.lsn()).putInt(id.length).put(id).putInt(u.document().length).put(u.document())
                        .putInt(u.vector().length);
                for (float f : u.vector()) b.putFloat(f);
                yield b.array();
            }
            case Upsert u -> {
                int dim = u.vector().length;
                ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + id.length + 4 + u.document().length + 4 + 4
                        + u.passages().size() * (8 + 4 * dim));
                b.put(UPSERT_PASSAGES).putLong(u.lsn()).putInt(id.length).put(id).putInt(u.document().length).put(u.document())
                        .putInt(u.passages().size()).putInt(dim);
                for (PassageVector p : u.passages()) {
                    if (p.vector().length != dim) throw new IllegalArgumentException("passage vectors of '" + u.id() + "' differ in length");
                    b.putInt(p.start()).putInt(p.end());
                    for (float f : p.vector()) b.putFloat(f);
                }
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
            if (type != UPSERT && type != UPSERT_PASSAGES) throw new IllegalArgumentException("unknown record type " + type);
            int docLen = b.getInt();
            if (docLen < 0 || docLen > b.remaining()) throw new IllegalArgumentException("bad document length " + docLen);
            byte[] doc = new byte[docLen];
            b.get(doc);
            if (type == UPSERT) {
                int dim = b.getInt();
                if (dim < 0 || dim * 4L != b.remaining()) throw new IllegalArgumentException("bad vector length " + dim);
                return new Upsert(lsn, id, doc, readFloats(b, dim));
            }
            int count = b.getInt();
            int dim = b.getInt();
            if (count < 1 || dim < 0 || count * (8L + 4L * dim) != b.remaining()) {
                throw new IllegalArgumentException("bad passage count " + count + " or vector length " + dim);
            }
            List<PassageVector> passages = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int start = b.getInt(), end = b.getInt();
                passages.add(new PassageVector(readFloats(b, dim), start, end));
            }
            return new Upsert(lsn, id, doc, passages);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated record payload", e);
        }
    }

    private static float[] readFloats(ByteBuffer b, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) v[i] = b.getFloat();
        return v;
    }

    private static String readString(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) throw new IllegalArgumentException("bad id length " + len);
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
