package io.poisk.cluster;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.RerankResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary messages between serving nodes and inference workers: every body starts with a format version and a
 * kind byte, so a node of another version is refused with a message instead of misreading floats. Vectors and scores
 * are float32 (4 bytes each, big-endian as {@link Buffer} writes them), never JSON numbers: a batch of 256 e5 vectors
 * is 393 KB instead of about 2.5 MB of text. Strings are a length (int32, -1 for null) and UTF-8 bytes.
 * <pre>
 *   embed request   VERSION EMBED_REQUEST role:u8 instruction:str n:i32 text:str × n
 *   embed reply     VERSION VECTORS n:i32 dim:i32 float32 × n·dim
 *   rerank request  VERSION RERANK_REQUEST budget_ms:i64 query:str instruction:str n:i32 doc:str × n
 *   rerank reply    VERSION RERANK_RESULT n:i32 complete:u8 order:i32 × n score:float32 × n scored:u8 × n
 * </pre>
 * A failure is a failed reply: failure code = the HTTP status, message = {@code "<error code>: <message>"}.
 */
public final class InferenceCodec {
    public static final byte VERSION = 1;
    static final byte EMBED_REQUEST = 1, VECTORS = 2, RERANK_REQUEST = 3, RERANK_RESULT = 4;
    /** Roles by their wire byte: the enum's order is not the format. */
    private static final EmbeddingRole[] ROLES = {EmbeddingRole.QUERY, EmbeddingRole.PASSAGE};

    private InferenceCodec() {
    }

    public record EmbedRequest(List<String> texts, EmbeddingRole role, String instruction) {
    }

    public record RerankRequest(String query, String instruction, List<String> documents, long budgetMs) {
    }

    public static Buffer embedRequest(List<String> texts, EmbeddingRole role, String instruction) {
        Buffer b = header(EMBED_REQUEST, 64 + 64 * texts.size());
        b.appendByte(roleByte(role));
        string(b, instruction);
        strings(b, texts);
        return b;
    }

    public static EmbedRequest embedRequest(Buffer b) {
        Reader r = new Reader(b, EMBED_REQUEST);
        int role = r.u8();
        if (role >= ROLES.length) throw PoiskException.badRequest("inference message: unknown embedding role " + role);
        String instruction = r.string();
        return new EmbedRequest(r.strings(), ROLES[role], instruction);
    }

    public static Buffer vectors(float[][] vectors) {
        int dim = vectors.length == 0 ? 0 : vectors[0].length;
        Buffer b = header(VECTORS, 10 + 4L * vectors.length * dim);
        b.appendInt(vectors.length).appendInt(dim);
        for (float[] v : vectors) {
            if (v.length != dim) throw new IllegalArgumentException("vectors of " + v.length + " and " + dim + " dimensions in one batch");
            for (float x : v) b.appendFloat(x);
        }
        return b;
    }

    public static float[][] vectors(Buffer b) {
        Reader r = new Reader(b, VECTORS);
        int n = r.count(), dim = r.count();
        r.need(4L * n * dim);
        float[][] out = new float[n][dim];
        for (int i = 0; i < n; i++) for (int j = 0; j < dim; j++) out[i][j] = r.f32();
        return out;
    }

    public static Buffer rerankRequest(String query, String instruction, List<String> documents, long budgetMs) {
        Buffer b = header(RERANK_REQUEST, 64 + 256 * documents.size());
        b.appendLong(budgetMs);
        string(b, query);
        string(b, instruction);
        strings(b, documents);
        return b;
    }

    public static RerankRequest rerankRequest(Buffer b) {
        Reader r = new Reader(b, RERANK_REQUEST);
        long budget = r.i64();
        String query = r.string();
        if (query == null) throw PoiskException.badRequest("inference message: a rerank request needs a query");
        String instruction = r.string();
        return new RerankRequest(query, instruction, r.strings(), budget);
    }

    public static Buffer rerankResult(RerankResult result) {
        int n = result.order().length;
        Buffer b = header(RERANK_RESULT, 7L + 9L * n);
        b.appendInt(n).appendByte((byte) (result.complete() ? 1 : 0));
        for (int i : result.order()) b.appendInt(i);
        for (float s : result.scores()) b.appendFloat(s);
        for (boolean s : result.scored()) b.appendByte((byte) (s ? 1 : 0));
        return b;
    }

    public static RerankResult rerankResult(Buffer b) {
        Reader r = new Reader(b, RERANK_RESULT);
        int n = r.count();
        boolean complete = r.u8() == 1;
        r.need(9L * n);
        int[] order = new int[n];
        float[] scores = new float[n];
        boolean[] scored = new boolean[n];
        for (int i = 0; i < n; i++) order[i] = r.i32();
        for (int i = 0; i < n; i++) scores[i] = r.f32();
        for (int i = 0; i < n; i++) scored[i] = r.u8() == 1;
        return new RerankResult(order, scores, scored, complete);
    }

    /** Fails {@code message} with the error's HTTP status and {@code "<code>: <message>"}. */
    public static void fail(Message<?> message, Throwable error) {
        PoiskException e = PoiskException.from(error);
        message.fail(e.code().httpStatus(), e.code().code() + ": " + e.getMessage());
    }

    /**
     * The error a worker's failed reply stands for (its code and message); a timeout or a missing worker is
     * UNAVAILABLE; anything else INTERNAL.
     */
    public static PoiskException error(Throwable t) {
        if (t instanceof ReplyException re && re.failureType() == io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE
                && re.getMessage() != null) {
            String m = re.getMessage();
            int colon = m.indexOf(": ");
            if (colon > 0) {
                for (ErrorCode code : ErrorCode.values()) {
                    if (code.code().equals(m.substring(0, colon))) return new PoiskException(code, m.substring(colon + 2));
                }
            }
            return new PoiskException(ErrorCode.INTERNAL, "inference worker failed: " + m);
        }
        if (t instanceof ReplyException re) return new PoiskException(ErrorCode.UNAVAILABLE, "inference worker: " + re.getMessage());
        return PoiskException.from(t);
    }

    private static Buffer header(byte kind, long sizeHint) {
        Buffer b = Buffer.buffer((int) Math.min(Integer.MAX_VALUE - 8, Math.max(16, sizeHint)));
        return b.appendByte(VERSION).appendByte(kind);
    }

    private static byte roleByte(EmbeddingRole role) {
        for (int i = 0; i < ROLES.length; i++) if (ROLES[i] == role) return (byte) i;
        throw new IllegalArgumentException("no wire byte for role " + role);
    }

    private static void string(Buffer b, String s) {
        if (s == null) {
            b.appendInt(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.appendInt(bytes.length).appendBytes(bytes);
    }

    private static void strings(Buffer b, List<String> list) {
        b.appendInt(list.size());
        for (String s : list) {
            if (s == null) throw new IllegalArgumentException("null text in an inference batch");
            string(b, s);
        }
    }

    /** Reads a body front to back; a short or foreign body is a BAD_REQUEST naming what was wrong. */
    private static final class Reader {
        private final Buffer b;
        private int at;

        Reader(Buffer b, byte kind) {
            this.b = b;
            need(2);
            byte version = b.getByte(0), got = b.getByte(1);
            if (version != VERSION) {
                throw PoiskException.badRequest("inference message format version " + version + "; this node speaks version " + VERSION);
            }
            if (got != kind) throw PoiskException.badRequest("inference message of kind " + got + " where kind " + kind + " was expected");
            at = 2;
        }

        void need(long bytes) {
            if (at + bytes > b.length()) {
                throw PoiskException.badRequest("inference message truncated: " + b.length() + " bytes, needs " + (at + bytes));
            }
        }

        int u8() {
            need(1);
            return b.getUnsignedByte(at++);
        }

        int i32() {
            need(4);
            int v = b.getInt(at);
            at += 4;
            return v;
        }

        long i64() {
            need(8);
            long v = b.getLong(at);
            at += 8;
            return v;
        }

        float f32() {
            float v = b.getFloat(at); // bounds checked once per array by need()
            at += 4;
            return v;
        }

        int count() {
            int n = i32();
            if (n < 0) throw PoiskException.badRequest("inference message: negative count " + n);
            return n;
        }

        String string() {
            int len = i32();
            if (len == -1) return null;
            if (len < 0) throw PoiskException.badRequest("inference message: negative string length " + len);
            need(len);
            String s = b.getString(at, at + len, "UTF-8");
            at += len;
            return s;
        }

        List<String> strings() {
            int n = count();
            need(4L * n); // each string has at least its length
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String s = string();
                if (s == null) throw PoiskException.badRequest("inference message: null text at " + i);
                out.add(s);
            }
            return out;
        }
    }
}
