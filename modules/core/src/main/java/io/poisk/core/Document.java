package io.poisk.core;

import java.util.Map;
import java.util.Objects;

/**
 * A document as users give it and get it back: a stable id, the text that is embedded and
 * searched, and free-form fields (JSON values: strings, numbers, booleans, lists, objects).
 */
public record Document(String id, String text, Map<String, Object> fields) {
    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        fields = fields == null ? Map.of() : fields;
    }
}
