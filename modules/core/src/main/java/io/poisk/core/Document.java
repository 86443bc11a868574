package io.poisk.core;

import java.util.Map;
import java.util.Objects;

/**
 * A document as users give it and get it back: a stable id, the text that is embedded and
 * searched, and free-form fields (JSON values: strings, numbers, booleans, lists, objects).
 * {@code vector}, when given, is the document's own vector (indexed as is, one passage, no inference;
 * required on a collection without a model); it is not part of the stored document (null when read back).
 */
public record Document(String id, String text, Map<String, Object> fields, float[] vector) {
    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        fields = fields == null ? Map.of() : fields;
    }

    /** A document without a vector of its own: the collection's model embeds its text. */
    public Document(String id, String text, Map<String, Object> fields) {
        this(id, text, fields, null);
    }
}
