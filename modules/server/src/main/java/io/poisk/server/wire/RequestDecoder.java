package io.poisk.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.Document;
import io.poisk.core.DocumentCodec;
import io.poisk.core.DocumentId;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchMode;
import io.poisk.engine.RerankChoice;
import io.poisk.engine.RerankRequest;
import io.poisk.engine.SearchDefaults;
import io.poisk.engine.ResultShape;
import io.poisk.engine.SearchRequest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns request bodies into core types, checking every JSON type and limit so that a bad input
 * fails with a {@link PoiskException} whose message says what was wrong and what is accepted.
 */
public final class RequestDecoder {

    private final ApiLimits limits;
    private final JsonBodyReader json;

    public RequestDecoder(ApiLimits limits) {
        this.limits = limits;
        this.json = new JsonBodyReader(limits);
    }

    public ApiLimits limits() {
        return limits;
    }

    /** Parses a JSON object body within the limits; {@code what} names the body in messages. */
    JsonNode object(byte[] body, String what) {
        return json.object(body, what);
    }

    /** A parsed object as plain maps and lists. */
    Map<String, Object> toMap(JsonNode node) {
        return json.toMap(node);
    }

    /** The optional model of {@code PUT /collections/{name}}: null when the body is empty or names none. */
    static String collectionModel(JsonNode root) {
        JsonNode model = root.get("model");
        if (model == null || model.isNull()) return null;
        if (!model.isTextual() || model.asText().isBlank()) {
            throw PoiskException.badRequest("'model' must be a non-empty string (a model card id), got " + typeName(model));
        }
        return model.asText();
    }

    /** {@code {"documents":[...]}}: at most max_documents_per_request documents, ids unique. */
    public List<Document> documentBatch(byte[] body) {
        JsonNode root = object(body, "request body");
        JsonNode docs = root.get("documents");
        if (docs == null) {
            throw new PoiskException(ErrorCode.INVALID_DOCUMENT,
                    "missing 'documents': expected {\"documents\":[{\"id\":\"…\",\"text\":\"…\",\"fields\":{…}}]}");
        }
        if (!docs.isArray()) {
            throw new PoiskException(ErrorCode.INVALID_DOCUMENT, "'documents' must be an array of document objects, got " + typeName(docs));
        }
        if (docs.size() > limits.maxDocumentsPerRequest()) {
            throw new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE, "a request may hold at most " + limits.maxDocumentsPerRequest()
                    + " documents (configured by " + ApiLimits.DOCUMENTS_PER_REQUEST + "), got " + docs.size()
                    + "; split the batch or stream it as application/x-ndjson");
        }
        List<Document> out = new ArrayList<>(docs.size());
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < docs.size(); i++) {
            Document d = document(docs.get(i), "documents[" + i + "]");
            if (!ids.add(d.id())) {
                throw new PoiskException(ErrorCode.INVALID_DOCUMENT, "documents[" + i + "]: duplicate id '" + d.id()
                        + "' in this request; each id may appear once per request");
            }
            out.add(d);
        }
        return out;
    }

    /** One NDJSON line. */
    public Document ndjsonLine(byte[] line, long lineNumber) {
        String where = "line " + lineNumber;
        JsonNode node;
        try {
            node = object(line, where);
        } catch (PoiskException e) {
            throw new PoiskException(e.code(), e.getMessage() + "; each line must hold one document {\"id\":\"…\",\"text\":\"…\",\"fields\":{…}}");
        }
        return document(node, where);
    }

    Document document(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + " must be an object {\"id\":\"…\",\"text\":\"…\",\"fields\":{…}}, got " + typeName(node));
        }
        String id = DocumentId.validate(requiredString(node, "id", where), where);
        JsonNode vectorNode = node.get("vector");
        float[] vector = vectorNode == null || vectorNode.isNull() ? null : VectorDecoder.decode(vectorNode, where, ErrorCode.INVALID_DOCUMENT);
        // A document that brings its vector needs no text (a collection without a model may hold vectors only).
        JsonNode textNode = node.get("text");
        String text = vector == null ? requiredString(node, "text", where)
                : textNode == null || textNode.isNull() ? ""
                : textNode.isTextual() ? textNode.asText() : requiredString(node, "text", where);
        JsonNode fields = node.get("fields");
        Map<String, Object> fieldMap = Map.of();
        if (fields != null && !fields.isNull()) {
            if (!fields.isObject()) {
                throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": 'fields' must be an object of JSON values, got " + typeName(fields));
            }
            fieldMap = json.toMap(fields);
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("id") && !name.equals("text") && !name.equals("fields") && !name.equals("vector")) {
                throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": unknown property '" + name
                        + "'; a document has 'id', 'text', optional 'fields' and optional 'vector' (put extra data in 'fields')");
            }
        }
        Document document = new Document(id, text, fieldMap, vector);
        // Measured as the index stores it, so the index never sees a document over its limit.
        int bytes = DocumentCodec.encode(document).length;
        if (bytes > limits.maxDocumentBytes()) {
            throw new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE, where + " (id '" + id + "') is " + bytes
                    + " bytes as stored (id, text and fields as UTF-8 JSON); the limit is " + limits.maxDocumentBytes()
                    + " (configured by " + ApiLimits.DOCUMENT_BYTES + ")");
        }
        return document;
    }

    private static String requiredString(JsonNode node, String name, String where) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": missing '" + name + "' (a non-empty string)");
        }
        if (!v.isTextual()) {
            throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": '" + name + "' must be a string, got " + typeName(v));
        }
        if (v.asText().isBlank()) {
            throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": '" + name + "' must not be empty");
        }
        return v.asText();
    }

    /** The properties of a search body, in the order error messages list them. */
    private static final List<String> SEARCH_PROPERTIES = List.of("query", "vector", "instruction", "k", "offset", "filter", "mode",
            "fusion", "rerank", "fields", "return_text", "highlight");
    /** Most names in {@code "fields"}: more than a collection would sensibly declare. */
    static final int MAX_RETURNED_FIELDS = 256;

    /**
     * {@code {"query","instruction","k","offset","filter","mode","fusion","rerank":{"model","top_n"}|false,
     * "fields":[…],"return_text":bool,"highlight":bool|{"max_chars":n}}}; mode defaults to hybrid.
     */
    public SearchRequest search(byte[] body) {
        return timedSearch(body, null).request();
    }

    /**
     * A search body with its deadline: {@code "timeout_ms"} in the body, else the {@code Request-Timeout} header
     * ({@code header}, null when absent), else {@code limits.request_timeout_ms}.
     */
    public TimedSearch timedSearch(byte[] body, String header) {
        JsonNode root = object(body, "request body");
        JsonNode timeout = root instanceof com.fasterxml.jackson.databind.node.ObjectNode o ? o.remove(RequestDeadlines.PROPERTY) : null;
        JsonNode after = root instanceof com.fasterxml.jackson.databind.node.ObjectNode o ? o.remove("after") : null;
        SearchRequest request = search(root);
        return new TimedSearch(request, limits.deadlines().of(timeout, header), after(after));
    }

    /** {@code "after": {"0": 17, "2": 5}}: shard number to the log offset (of an ingest reply) a search must see. */
    static Map<Integer, Long> after(JsonNode after) {
        if (after == null || after.isNull()) return Map.of();
        String shape = "; expected \"after\": {\"<shard>\": <offset>, …} as an ingest reply's \"offsets\"";
        if (!after.isObject()) throw new PoiskException(ErrorCode.INVALID_QUERY, "'after' must be an object, got " + typeName(after) + shape);
        Map<Integer, Long> out = new java.util.TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().matches("\\d{1,2}") || !e.getValue().isIntegralNumber() || !e.getValue().canConvertToLong()
                    || e.getValue().asLong() < 0) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "'after' maps shard numbers to offsets (non-negative integers),"
                        + " got \"" + e.getKey() + "\": " + e.getValue() + shape);
            }
            out.put(Integer.parseInt(e.getKey()), e.getValue().asLong());
        }
        return out;
    }

    private SearchRequest search(JsonNode root) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!SEARCH_PROPERTIES.contains(name)) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "unknown property '" + name
                        + "'; accepted: " + String.join(", ", SEARCH_PROPERTIES) + ", " + RequestDeadlines.PROPERTY);
            }
        }
        JsonNode vn = root.get("vector");
        float[] vector = vn == null || vn.isNull() ? null : VectorDecoder.decode(vn, "request body", ErrorCode.INVALID_QUERY);
        JsonNode q = root.get("query");
        String query = null;
        if (q == null || q.isNull()) {
            if (vector == null) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "missing 'query' (a non-empty string) or 'vector' (an array of numbers)");
            }
        } else {
            if (!q.isTextual()) throw new PoiskException(ErrorCode.INVALID_QUERY, "'query' must be a string, got " + typeName(q));
            if (q.asText().isBlank()) throw new PoiskException(ErrorCode.INVALID_QUERY, "'query' must not be empty");
            query = q.asText();
        }

        String instruction = null;
        JsonNode ins = root.get("instruction");
        if (ins != null && !ins.isNull()) {
            if (!ins.isTextual()) throw new PoiskException(ErrorCode.INVALID_QUERY, "'instruction' must be a string, got " + typeName(ins));
            instruction = ins.asText().isBlank() ? null : ins.asText();
        }

        int k = SearchDefaults.K;
        JsonNode kn = root.get("k");
        if (kn != null && !kn.isNull()) {
            if (!kn.isIntegralNumber() || !kn.canConvertToInt() || kn.asInt() < 1 || kn.asInt() > SearchRequest.MAX_K) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "'k' must be an integer between 1 and " + SearchRequest.MAX_K
                        + ", got " + (kn.isTextual() ? "the string " + kn : kn.toString()));
            }
            k = kn.asInt();
        }

        // A vector alone searches densely unless the request says otherwise (then the request says something impossible: a 400).
        SearchMode mode = query == null ? SearchMode.DENSE : SearchDefaults.MODE;
        JsonNode mn = root.get("mode");
        if (mn != null && !mn.isNull()) {
            if (!mn.isTextual()) throw new PoiskException(ErrorCode.INVALID_QUERY, "'mode' must be a string (dense, lexical or hybrid), got " + typeName(mn));
            mode = SearchMode.parse(mn.asText());
        }

        Map<String, Object> filter = Map.of();
        JsonNode fn = root.get("filter");
        if (fn != null && !fn.isNull()) {
            if (!fn.isObject()) throw new PoiskException(ErrorCode.INVALID_QUERY, "'filter' must be an object, got " + typeName(fn));
            filter = json.toMap(fn);
        }
        int offset = 0;
        JsonNode on = root.get("offset");
        if (on != null && !on.isNull()) {
            if (!on.isIntegralNumber() || !on.canConvertToInt() || on.asInt() < 0 || on.asInt() > SearchRequest.MAX_K - 1) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "'offset' must be an integer between 0 and " + (SearchRequest.MAX_K - 1)
                        + " (offset + k at most " + SearchRequest.MAX_K + "), got " + (on.isTextual() ? "the string " + on : on.toString()));
            }
            offset = on.asInt();
        }
        SearchBounds.check(query == null ? "" : query, filter, limits);
        return new SearchRequest(query, instruction, k, mode, filter, FusionDecoder.decode(root.get("fusion"), mode),
                rerank(root.get("rerank"), k), offset, shape(root), vector);
    }

    /** {@code "fields"}, {@code "return_text"} and {@code "highlight"}: what each hit carries. */
    static ResultShape shape(JsonNode root) {
        boolean returnText = true;
        JsonNode rt = root.get("return_text");
        if (rt != null && !rt.isNull()) {
            if (!rt.isBoolean()) throw new PoiskException(ErrorCode.INVALID_QUERY, "'return_text' must be true or false, got " + typeName(rt));
            returnText = rt.asBoolean();
        }
        Set<String> fields = null;
        JsonNode fn = root.get("fields");
        if (fn != null && !fn.isNull()) {
            if (!fn.isArray() || fn.size() > MAX_RETURNED_FIELDS) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "'fields' must be an array of at most " + MAX_RETURNED_FIELDS
                        + " field names (empty: no fields), got " + (fn.isArray() ? fn.size() + " names" : typeName(fn)));
            }
            fields = new LinkedHashSet<>();
            for (JsonNode f : fn) {
                if (!f.isTextual() || f.asText().isEmpty()) {
                    throw new PoiskException(ErrorCode.INVALID_QUERY, "'fields' must hold non-empty field names, got " + f);
                }
                fields.add(f.asText());
            }
        }
        int snippetChars = 0;
        JsonNode hn = root.get("highlight");
        if (hn != null && !hn.isNull()) {
            String expected = "'highlight' must be true, false or {\"max_chars\": 1.." + ResultShape.MAX_SNIPPET_CHARS + "}";
            if (hn.isBoolean()) {
                snippetChars = hn.asBoolean() ? ResultShape.DEFAULT_SNIPPET_CHARS : 0;
            } else if (hn.isObject()) {
                snippetChars = ResultShape.DEFAULT_SNIPPET_CHARS;
                for (Iterator<String> it = hn.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    if (!name.equals("max_chars")) throw new PoiskException(ErrorCode.INVALID_QUERY, "unknown property 'highlight." + name + "'; accepted: max_chars");
                }
                JsonNode mc = hn.get("max_chars");
                if (mc != null) {
                    if (!mc.isIntegralNumber() || !mc.canConvertToInt() || mc.asInt() < 1 || mc.asInt() > ResultShape.MAX_SNIPPET_CHARS) {
                        throw new PoiskException(ErrorCode.INVALID_QUERY, expected + ", got max_chars " + mc);
                    }
                    snippetChars = mc.asInt();
                }
            } else {
                throw new PoiskException(ErrorCode.INVALID_QUERY, expected + ", got " + typeName(hn));
            }
        }
        return new ResultShape(returnText, fields, snippetChars);
    }

    /**
     * {@code "rerank"}: absent takes the collection's default reranker, {@code false} switches reranking off,
     * {@code {"model":"…","top_n":n}} names one (either part may be left to the collection's default); top_n,
     * when given, between k and 1000. {@code null} and {@code true} are 400s: they would read as either of the first two.
     */
    static RerankChoice rerank(JsonNode node, int k) {
        if (node == null) return RerankChoice.COLLECTION_DEFAULT;
        if (node.isBoolean() && !node.asBoolean()) return RerankChoice.OFF;
        String shape = "; expected \"rerank\":{\"model\":\"<reranker card id>\",\"top_n\":<" + k + ".." + RerankRequest.MAX_TOP_N
                + ">}, \"rerank\":false to search without the collection's default reranker, or no 'rerank' to use it";
        if (node.isNull() || node.isBoolean()) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'rerank' may not be " + node + shape);
        }
        if (!node.isObject()) throw new PoiskException(ErrorCode.INVALID_QUERY, "'rerank' must be an object, got " + typeName(node) + shape);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("model") && !name.equals("top_n")) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "unknown property 'rerank." + name + "'; accepted: model, top_n");
            }
        }
        JsonNode model = node.get("model");
        if (model != null && (model.isNull() || !model.isTextual() || model.asText().isBlank())) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'rerank.model' must be a reranker card id (a non-empty string), got "
                    + typeName(model) + "; leave it out to use the collection's default reranker" + shape);
        }
        Integer topN = null;
        JsonNode tn = node.get("top_n");
        if (tn != null && !tn.isNull()) {
            if (!tn.isIntegralNumber() || !tn.canConvertToInt() || tn.asInt() < 1 || tn.asInt() > RerankRequest.MAX_TOP_N) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "'rerank.top_n' must be an integer between 1 and "
                        + RerankRequest.MAX_TOP_N + ", got " + (tn.isTextual() ? "the string " + tn : tn.toString()));
            }
            if (tn.asInt() < k) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "'rerank.top_n' (" + tn.asInt() + ") must be at least 'k' (" + k
                        + "): the reranker orders the top_n first-stage hits and the page is cut to k of them");
            }
            topN = tn.asInt();
        }
        return new RerankChoice.Given(new RerankRequest(model == null ? null : model.asText(), topN));
    }

    static String typeName(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
