package io.poisk.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.poisk.core.CollectionName;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.SearchRequest;

import java.nio.charset.StandardCharsets;

/**
 * A query message of the live-search WebSocket: {@code {"id":n,"collection":"…","query":"…",
 * "instruction":"…","k":…,"rerank":{"model":"…","top_n":n}|false,"timeout_ms":n}}; besides id and collection the fields are those
 * of the HTTP search body, {@code timeout_ms} included (absent: {@code limits.request_timeout_ms}).
 */
public record LiveSearchMessage(long id, String collection, SearchRequest request, java.time.Duration timeout) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The id of a message that failed to parse as a whole, when it has one; null otherwise. */
    public static Long idOf(String text) {
        try {
            JsonNode id = JSON.readTree(text).get("id");
            return id != null && id.canConvertToLong() && id.isIntegralNumber() ? id.asLong() : null;
        } catch (Exception e) {
            return null;
        }
    }

    public static LiveSearchMessage parse(String text, RequestDecoder decoder) {
        JsonNode root = decoder.object(text.getBytes(StandardCharsets.UTF_8), "message");
        ObjectNode rest = ((ObjectNode) root).deepCopy();
        JsonNode id = rest.remove("id");
        if (id == null || !id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() < 0) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "missing or bad 'id': every message needs \"id\", a non-negative"
                    + " integer that grows with each query of the connection");
        }
        JsonNode collection = rest.remove("collection");
        if (collection == null || !collection.isTextual()) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "missing 'collection' (a collection name string)");
        }
        String name = CollectionName.validate(collection.asText());
        TimedSearch request;
        try {
            request = decoder.timedSearch(rest.toString().getBytes(StandardCharsets.UTF_8), null);
        } catch (PoiskException e) {
            throw new PoiskException(e.code(), e.getMessage().replace("accepted: query", "accepted: id, collection, query"));
        }
        return new LiveSearchMessage(id.asLong(), name, request.request(), request.timeout());
    }
}
