package io.poisk.cluster;

import io.poisk.core.Document;
import io.poisk.index.EmbeddedDocument;
import io.poisk.index.PassageVector;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The value of a document record in a collection topic: versioned JSON {@code {"format":1,"id","text","fields",
 * "passages":[{"start","end","vector"}]}} carrying every passage vector (little-endian float32, base64), so a replica
 * inserts exactly what the embedding node made, without inference. A delete is a tombstone (null value), not this.
 */
final class ShardRecordCodec {
    static final int FORMAT = 1;

    private ShardRecordCodec() {
    }

    static byte[] encode(EmbeddedDocument d) {
        JsonArray passages = new JsonArray();
        for (PassageVector p : d.passages()) {
            passages.add(new JsonObject().put("start", p.start()).put("end", p.end()).put("vector", vector(p.vector())));
        }
        return new JsonObject().put("format", FORMAT).put("id", d.document().id()).put("text", d.document().text())
                .put("fields", new JsonObject(d.document().fields())).put("passages", passages).encode().getBytes(StandardCharsets.UTF_8);
    }

    static EmbeddedDocument decode(byte[] bytes) {
        JsonObject j = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
        int format = j.getInteger("format", 0);
        if (format != FORMAT) throw new IllegalArgumentException("document record of format " + format + "; this build reads " + FORMAT);
        Map<String, Object> fields = j.getJsonObject("fields", new JsonObject()).getMap();
        List<PassageVector> passages = new ArrayList<>();
        for (Object o : j.getJsonArray("passages")) {
            JsonObject p = (JsonObject) o;
            passages.add(new PassageVector(vector(p.getString("vector")), p.getInteger("start"), p.getInteger("end")));
        }
        return new EmbeddedDocument(new Document(j.getString("id"), j.getString("text"), fields), passages);
    }

    static String vector(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }

    static float[] vector(String base64) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / Float.BYTES];
        b.asFloatBuffer().get(v);
        return v;
    }
}
