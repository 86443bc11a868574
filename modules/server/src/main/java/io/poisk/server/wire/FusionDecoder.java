package io.poisk.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchMode;
import io.poisk.engine.SearchDefaults;
import io.poisk.index.Fusion;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code "fusion"} of a search body: {@code {"method":"rrf","k":60}} or
 * {@code {"method":"weighted","dense":0.3,"lexical":0.7}}. Checked here for shape (known keys, and
 * hybrid mode only); {@link Fusion#fromMap} checks the values. What a body leaves out is {@link SearchDefaults}'s.
 */
final class FusionDecoder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHAPE = "; accepted: {\"method\":\"rrf\",\"k\":<positive integer, default " + SearchDefaults.RRF_K + ">} or"
            + " {\"method\":\"weighted\",\"dense\":<weight>,\"lexical\":<weight>} (weights non-negative; a weight left out takes the"
            + " default's: dense " + SearchDefaults.FUSION.dense() + ", lexical " + SearchDefaults.FUSION.lexical() + ")";

    private FusionDecoder() {
    }

    /** The fusion, or null when the body names none (the engine's default applies). */
    static Fusion decode(JsonNode node, SearchMode mode) {
        if (node == null || node.isNull()) return null;
        if (!node.isObject()) throw invalid("'fusion' must be an object, got " + RequestDecoder.typeName(node) + SHAPE);
        if (mode != SearchMode.HYBRID) {
            throw invalid("'fusion' applies to mode hybrid only; this request has mode " + mode.wireName()
                    + " (remove 'fusion' or set \"mode\":\"hybrid\")");
        }
        JsonNode method = node.get("method");
        if (method == null || !method.isTextual()) throw invalid("'fusion.method' must be a string, rrf or weighted" + SHAPE);
        List<String> keys = switch (method.asText()) {
            case "rrf" -> List.of("method", "k");
            case "weighted" -> List.of("method", "dense", "lexical");
            default -> throw invalid("unknown fusion method '" + method.asText() + "'" + SHAPE);
        };
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!keys.contains(key)) {
                throw invalid("unknown property 'fusion." + key + "' for method " + method.asText() + "; accepted: " + String.join(", ", keys));
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.convertValue(node, Map.class);
        if (method.asText().equals("weighted")) {
            // the one fusion default: a weight left out is the default's, never the index's 0.5
            m.putIfAbsent("dense", SearchDefaults.FUSION.dense());
            m.putIfAbsent("lexical", SearchDefaults.FUSION.lexical());
        }
        return Fusion.fromMap(m);
    }

    private static PoiskException invalid(String message) {
        return new PoiskException(ErrorCode.INVALID_QUERY, message);
    }
}
