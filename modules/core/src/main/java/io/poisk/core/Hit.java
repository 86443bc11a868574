package io.poisk.core;

import java.util.Map;

/**
 * One search result: the document and its score (higher is better; cosine for dense search). {@code passage}
 * is the best-scoring passage of a dense hit (null for lexical-only hits and where it is unknown).
 */
public record Hit(String id, float score, String text, Map<String, Object> fields, Passage passage) {
    public Hit {
        fields = fields == null ? Map.of() : fields;
    }

    public Hit(String id, float score, String text, Map<String, Object> fields) {
        this(id, score, text, fields, null);
    }
}
