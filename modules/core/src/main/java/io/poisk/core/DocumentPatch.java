package io.poisk.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A change to the fields of a stored document, leaving its text (and so its vector) alone: each given field
 * replaces the stored one, a field given as null is removed, the others stay.
 */
public record DocumentPatch(String id, Map<String, Object> fields) {
    public DocumentPatch {
        Objects.requireNonNull(id, "id");
        // A copy that keeps null values (Map.copyOf refuses them): null means "remove this field".
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(fields, "fields")));
    }

    /** {@code stored} with this patch's fields merged in; the id and text stay. */
    public Document applyTo(Document stored) {
        Map<String, Object> merged = new LinkedHashMap<>(stored.fields());
        for (var e : fields.entrySet()) {
            if (e.getValue() == null) merged.remove(e.getKey());
            else merged.put(e.getKey(), e.getValue());
        }
        return new Document(stored.id(), stored.text(), merged);
    }
}
