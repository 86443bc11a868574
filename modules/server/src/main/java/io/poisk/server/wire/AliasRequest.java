package io.poisk.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.CollectionName;
import io.poisk.core.PoiskException;

import java.util.Iterator;

/** The body of {@code PUT /aliases/{alias}}: {@code {"collection":"<collection name>"}}. */
public record AliasRequest(String collection) {
    private static final String SHAPE = "; expected {\"collection\":\"<collection name>\"}";

    public static AliasRequest parse(byte[] body, RequestDecoder decoder) {
        JsonNode root = decoder.object(body, "request body");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("collection")) throw PoiskException.badRequest("unknown property '" + name + "'" + SHAPE);
        }
        JsonNode collection = root.get("collection");
        if (collection == null || !collection.isTextual()) {
            throw PoiskException.badRequest("'collection' must be a collection name string, got "
                    + (collection == null ? "none" : RequestDecoder.typeName(collection)) + SHAPE);
        }
        return new AliasRequest(CollectionName.validate(collection.asText()));
    }
}
