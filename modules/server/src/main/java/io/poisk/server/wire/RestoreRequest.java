package io.poisk.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.PoiskException;

/** The JSON body of {@code POST /collections/{name}/restore}: {@code {"from": {"collection": "…", "snapshot": "…"}}}. */
public record RestoreRequest(String collection, String snapshot) {
    public static RestoreRequest parse(byte[] body, RequestDecoder decoder) {
        JsonNode root = decoder.object(body, "request body");
        JsonNode from = root.get("from");
        if (from == null || !from.isObject() || root.size() != 1) {
            throw PoiskException.badRequest("send {\"from\": {\"collection\": \"<name>\", \"snapshot\": \"<id>\"}} as JSON,"
                    + " or the archive itself as application/octet-stream");
        }
        return new RestoreRequest(text(from, "collection"), text(from, "snapshot"));
    }

    private static String text(JsonNode from, String name) {
        JsonNode v = from.get(name);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw PoiskException.badRequest("'from." + name + "' must be a non-empty string");
        }
        return v.asText();
    }
}
