package io.poisk.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.core.Similarity;

/**
 * A {@code "vector"} member of a document or a search: a JSON array of numbers, each a finite 32-bit float. JSON has
 * no NaN or Infinity literal (the parser refuses them), but a number beyond the float range (1e39) would become one:
 * it is refused here. The dimension, and a zero vector under cosine, are the engine's checks, which know the collection.
 */
final class VectorDecoder {
    private VectorDecoder() {
    }

    /** The vector of {@code node}; {@code where} names it in messages ("documents[3]", "request body"). */
    static float[] decode(JsonNode node, String where, ErrorCode code) {
        if (!node.isArray()) {
            throw new PoiskException(code, where + ": 'vector' must be an array of numbers, got " + RequestDecoder.typeName(node));
        }
        if (node.isEmpty() || node.size() > Similarity.MAX_DIMENSION) {
            throw new PoiskException(code, where + ": 'vector' must hold 1 to " + Similarity.MAX_DIMENSION + " numbers, got " + node.size());
        }
        float[] out = new float[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = node.get(i);
            if (!n.isNumber()) {
                throw new PoiskException(code, where + ": 'vector' must hold numbers only, got " + RequestDecoder.typeName(n)
                        + " at index " + i);
            }
            float f = (float) n.doubleValue();
            if (!Float.isFinite(f)) {
                throw new PoiskException(code, where + ": 'vector' value " + n.asText() + " at index " + i
                        + " is outside the range of a 32-bit float (about ±3.4e38)");
            }
            out[i] = f;
        }
        return out;
    }
}
