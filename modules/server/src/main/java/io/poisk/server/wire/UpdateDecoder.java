package io.poisk.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.DocumentId;
import io.poisk.core.DocumentPatch;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.index.FieldType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bodies of the updates that need no inference: field patches ({@code PATCH .../documents/{id}} and its batch
 * form) and delete by filter. Text cannot be patched (it would need a new vector): that is a 400 naming POST.
 */
public final class UpdateDecoder {
    private static final String TEXT_REFUSED = "the text cannot be patched (a new text needs a new embedding); send the whole"
            + " document with POST /collections/{name}/documents, which re-embeds only when the text changed";

    private final RequestDecoder decoder;

    public UpdateDecoder(RequestDecoder decoder) {
        this.decoder = decoder;
    }

    /** {@code {"fields":{…}}} for the document {@code id}. */
    public DocumentPatch patch(String id, byte[] body) {
        JsonNode root = decoder.object(body, "request body");
        return patch(root, DocumentId.validate(id, "document id"), "request body", Set.of("fields"));
    }

    /** {@code {"documents":[{"id":"…","fields":{…}}…]}}: at most max_documents_per_request patches, applied in order. */
    public List<DocumentPatch> patchBatch(byte[] body) {
        JsonNode root = decoder.object(body, "request body");
        onlyProperties(root, "request body", Set.of("documents"), "{\"documents\":[{\"id\":\"…\",\"fields\":{…}}]}");
        JsonNode docs = root.get("documents");
        if (docs == null || !docs.isArray()) {
            throw new PoiskException(ErrorCode.INVALID_DOCUMENT, "'documents' must be an array of {\"id\":\"…\",\"fields\":{…}}, got "
                    + (docs == null ? "nothing" : RequestDecoder.typeName(docs)));
        }
        int max = decoder.limits().maxDocumentsPerRequest();
        if (docs.size() > max) {
            throw new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE, "a request may hold at most " + max + " patches (configured by "
                    + ApiLimits.DOCUMENTS_PER_REQUEST + "), got " + docs.size() + "; split the batch");
        }
        List<DocumentPatch> out = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            String where = "documents[" + i + "]";
            JsonNode node = docs.get(i);
            if (!node.isObject()) {
                throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + " must be an object {\"id\":\"…\",\"fields\":{…}}, got "
                        + RequestDecoder.typeName(node));
            }
            JsonNode id = node.get("id");
            if (id == null || !id.isTextual() || id.asText().isBlank()) {
                throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": 'id' must be a non-empty string");
            }
            out.add(patch(node, DocumentId.validate(id.asText(), where), where, Set.of("id", "fields")));
        }
        return out;
    }

    /** {@code {"filter":{…}}} of a delete by filter; missing or empty is a 400, never a delete-all. */
    public Map<String, Object> deleteFilter(byte[] body) {
        JsonNode root = decoder.object(body, "request body");
        onlyProperties(root, "request body", Set.of("filter"), "{\"filter\":{…}}");
        JsonNode filter = root.get("filter");
        if (filter == null || filter.isNull() || !filter.isObject() || filter.isEmpty()) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'filter' must be a non-empty object in the search filter language,"
                    + " got " + (filter == null ? "nothing" : RequestDecoder.typeName(filter))
                    + "; a delete by filter never deletes everything (delete the collection for that)");
        }
        Map<String, Object> map = decoder.toMap(filter);
        SearchBounds.check("", map, decoder.limits());
        return map;
    }

    /** {@code {"type":"keyword|long|double|date|boolean"}} of {@code PUT /collections/{name}/fields/{field}}. */
    public FieldType fieldType(byte[] body) {
        JsonNode root = decoder.object(body, "request body");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("type")) throw PoiskException.badRequest("unknown property '" + name + "'; expected {\"type\":\"keyword\"}");
        }
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            throw PoiskException.badRequest("'type' must be one of keyword, long, double, date, boolean, got "
                    + (type == null ? "nothing" : RequestDecoder.typeName(type)));
        }
        return FieldType.parse(type.asText());
    }

    private DocumentPatch patch(JsonNode node, String id, String where, Set<String> accepted) {
        if (node.has("text")) throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": " + TEXT_REFUSED);
        onlyProperties(node, where, accepted, "{\"fields\":{…}}");
        JsonNode fields = node.get("fields");
        if (fields == null || !fields.isObject()) {
            throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": 'fields' must be an object of the fields to set"
                    + " (null removes one), got " + (fields == null ? "nothing" : RequestDecoder.typeName(fields)));
        }
        if (fields.isEmpty()) throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": 'fields' names no field to change");
        return new DocumentPatch(id, decoder.toMap(fields));
    }

    private static void onlyProperties(JsonNode node, String where, Set<String> accepted, String shape) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!accepted.contains(name)) {
                throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": unknown property '" + name + "'; expected " + shape);
            }
        }
    }
}
