package io.poisk.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.PoiskException;
import io.poisk.engine.RerankRequest;
import io.poisk.index.CollectionOptions;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code PUT /collections/{name}}: {@code {"model":"…","language":"ru|en|auto","fields":{"year":"long",…},
 * "rerank":{"model":"<reranker id>","top_n":n}}}, every part optional. {@code model} is null for the engine's default
 * model; {@code rerank} is the collection's default reranker (the engine checks that it names a reranker card).
 */
public record CollectionRequest(String model, CollectionOptions options) {
    private static final List<String> PROPERTIES = List.of("model", "language", "fields", "rerank", "passages");

    static CollectionRequest defaults() {
        return new CollectionRequest(null, CollectionOptions.defaults());
    }

    /** Parses a body; an empty one is the defaults. Unknown properties, bad languages and field types are 400s. */
    public static CollectionRequest parse(byte[] body, RequestDecoder decoder) {
        if (body == null || isBlank(body)) return defaults();
        JsonNode root = decoder.object(body, "request body");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!PROPERTIES.contains(name)) {
                throw PoiskException.badRequest("unknown property '" + name + "'; accepted: model, language, fields, rerank, passages"
                        + " (e.g. {\"model\":\"e5-small-v2\",\"language\":\"ru\",\"fields\":{\"year\":\"long\",\"tag\":\"keyword\"}})");
            }
        }
        String model = RequestDecoder.collectionModel(root);
        JsonNode language = root.get("language");
        if (language != null && !language.isNull() && !language.isTextual()) {
            throw PoiskException.badRequest("'language' must be a string: ru, en or auto; got " + RequestDecoder.typeName(language));
        }
        JsonNode fields = root.get("fields");
        if (fields != null && !fields.isNull() && !fields.isObject()) {
            throw PoiskException.badRequest("'fields' must be an object of field name to type (keyword, long, double, date, boolean); got "
                    + RequestDecoder.typeName(fields));
        }
        JsonNode rerank = root.get("rerank");
        if (rerank != null && !rerank.isNull()) {
            String shape = "; expected \"rerank\":{\"model\":\"<reranker card id>\",\"top_n\":<1.." + RerankRequest.MAX_TOP_N + ">}";
            if (!rerank.isObject()) throw PoiskException.badRequest("'rerank' must be an object, got " + RequestDecoder.typeName(rerank) + shape);
            JsonNode topN = rerank.get("top_n");
            if (topN != null && !topN.isNull() && (!topN.isIntegralNumber() || !topN.canConvertToInt())) {
                throw PoiskException.badRequest("'rerank.top_n' must be an integer between 1 and " + RerankRequest.MAX_TOP_N
                        + ", got " + (topN.isTextual() ? "the string " + topN : topN.toString()));
            }
            JsonNode rerankModel = rerank.get("model");
            if (rerankModel == null || !rerankModel.isTextual() || rerankModel.asText().isBlank()) {
                throw PoiskException.badRequest("'rerank.model' must be a reranker card id (a non-empty string), got "
                        + (rerankModel == null ? "none" : RequestDecoder.typeName(rerankModel)) + shape);
            }
        }
        JsonNode passages = root.get("passages");
        if (passages != null && !passages.isNull() && !passages.isObject()) {
            throw PoiskException.badRequest("'passages' must be an object {\"enabled\":true,\"max_tokens\":n,\"overlap_tokens\":n}, got "
                    + RequestDecoder.typeName(passages));
        }
        Map<String, Object> options = decoder.toMap(root);
        options.remove("model");
        options.values().removeIf(java.util.Objects::isNull);
        return new CollectionRequest(model, CollectionOptions.fromMap(options));
    }

    /** An empty body means "defaults"; only JSON whitespace counts as empty, so a BOM or stray byte is still parsed (and refused). */
    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') return false;
        }
        return true;
    }
}
