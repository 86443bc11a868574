package io.poisk.core;

import java.util.Map;

/** One search result: the document and its score (higher is better; cosine for dense search). */
public record Hit(String id, float score, String text, Map<String, Object> fields) {
    public Hit {
        fields = fields == null ? Map.of() : fields;
    }
}
