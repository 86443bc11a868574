package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.PoiskException;
import io.poisk.index.CollectionOptions;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code PUT /collections/{name}}: {@code {"model":"…","language":"ru|en|auto","fields":{"year":"long",…}}},
 * every part optional. {@code model} is null for the engine's default model.
 */
record CollectionRequest(String model, CollectionOptions options) {
    private static final List<String> PROPERTIES = List.of("model", "language", "fields");
    private static final ObjectMapper JSON = new ObjectMapper();

    static CollectionRequest defaults() {
        return new CollectionRequest(null, CollectionOptions.defaults());
    }

    /** Parses a body; an empty one is the defaults. Unknown properties, bad languages and field types are 400s. */
    static CollectionRequest parse(byte[] body) {
        if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) return defaults();
        JsonNode root = RequestDecoder.object(body, "request body");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!PROPERTIES.contains(name)) {
                throw PoiskException.badRequest("unknown property '" + name + "'; accepted: model, language, fields"
                        + " (e.g. {\"model\":\"e5-small-v2\",\"language\":\"ru\",\"fields\":{\"year\":\"long\",\"tag\":\"keyword\"}})");
            }
        }
        String model = RequestDecoder.collectionModel(body);
        JsonNode language = root.get("language");
        if (language != null && !language.isNull() && !language.isTextual()) {
            throw PoiskException.badRequest("'language' must be a string: ru, en or auto; got " + RequestDecoder.typeName(language));
        }
        JsonNode fields = root.get("fields");
        if (fields != null && !fields.isNull() && !fields.isObject()) {
            throw PoiskException.badRequest("'fields' must be an object of field name to type (keyword, long, double, date, boolean); got "
                    + RequestDecoder.typeName(fields));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> options = JSON.convertValue(root, Map.class);
        options.remove("model");
        options.values().removeIf(java.util.Objects::isNull);
        return new CollectionRequest(model, CollectionOptions.fromMap(options));
    }
}
