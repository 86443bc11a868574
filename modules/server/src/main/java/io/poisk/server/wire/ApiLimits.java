package io.poisk.server.wire;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;

/**
 * The one table of limits on what a request may carry, on every transport (HTTP, NDJSON, WebSocket, SSE,
 * event bus). Each limit has a configuration key, and every refusal names it, so a client learns the bound
 * and an operator knows what to raise. The JSON limits are enforced by Jackson while parsing
 * ({@link #readConstraints()}), so an oversized token is refused before it is built. {@link RequestDeadlines} bounds
 * how long a request may run.
 */
public record ApiLimits(long maxRequestBytes, int maxDocumentBytes, int maxDocumentsPerRequest, int jsonMaxDepth,
                 int jsonMaxNumberLength, int jsonMaxStringLength, int jsonMaxNameLength, int maxQueryTerms,
                 int maxFilterClauses, RequestDeadlines deadlines) {
    static final String REQUEST_BYTES = "max_request_bytes";
    static final String DOCUMENT_BYTES = "max_document_bytes";
    static final String DOCUMENTS_PER_REQUEST = "max_documents_per_request";
    static final String JSON_DEPTH = "limits.json_max_depth";
    static final String JSON_NUMBER_LENGTH = "limits.json_max_number_length";
    static final String JSON_STRING_LENGTH = "limits.json_max_string_length";
    static final String JSON_NAME_LENGTH = "limits.json_max_name_length";
    static final String QUERY_TERMS = "limits.max_query_terms";
    static final String FILTER_CLAUSES = "limits.max_filter_clauses";
    /** Lucene's default clause cap: the query terms and the filter clauses of one search together stay under it. */
    static final int LUCENE_MAX_CLAUSES = 1024;

    public ApiLimits {
        if (jsonMaxDepth < 2 || jsonMaxNumberLength < 1 || jsonMaxStringLength < 1 || jsonMaxNameLength < 1
                || maxQueryTerms < 1 || maxFilterClauses < 1) {
            throw new IllegalArgumentException("limits.* keys must be positive and " + JSON_DEPTH + " at least 2");
        }
        if (maxQueryTerms + maxFilterClauses > LUCENE_MAX_CLAUSES) {
            throw new IllegalArgumentException(QUERY_TERMS + " + " + FILTER_CLAUSES + " must not exceed " + LUCENE_MAX_CLAUSES
                    + " (the lexical index's clause limit); got " + maxQueryTerms + " + " + maxFilterClauses);
        }
    }

    public static ApiLimits from(PoiskConfig config) {
        return new ApiLimits(config.longValue(REQUEST_BYTES), config.integer(DOCUMENT_BYTES), config.integer(DOCUMENTS_PER_REQUEST),
                config.integer(JSON_DEPTH), config.integer(JSON_NUMBER_LENGTH), config.integer(JSON_STRING_LENGTH),
                config.integer(JSON_NAME_LENGTH), config.integer(QUERY_TERMS), config.integer(FILTER_CLAUSES),
                RequestDeadlines.from(config));
    }

    StreamReadConstraints readConstraints() {
        return StreamReadConstraints.builder()
                .maxNestingDepth(jsonMaxDepth)
                .maxNumberLength(jsonMaxNumberLength)
                .maxStringLength(jsonMaxStringLength)
                .maxNameLength(jsonMaxNameLength)
                .maxDocumentLength(maxRequestBytes)
                .build();
    }

    /** The refusal for a token Jackson stopped at: 413 for sizes of data, 400 for shapes no client needs. */
    PoiskException broken(StreamConstraintsException e, String what) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.contains("NestingDepth")) return refusal(ErrorCode.INVALID_JSON, what + " nests objects and arrays", "levels", JSON_DEPTH, jsonMaxDepth);
        if (m.contains("NumberLength")) return refusal(ErrorCode.INVALID_JSON, what + " holds a number literal", "characters", JSON_NUMBER_LENGTH, jsonMaxNumberLength);
        if (m.contains("NameLength")) return refusal(ErrorCode.INVALID_JSON, what + " holds a property name", "characters", JSON_NAME_LENGTH, jsonMaxNameLength);
        if (m.contains("StringLength")) return refusal(ErrorCode.PAYLOAD_TOO_LARGE, what + " holds a string", "characters", JSON_STRING_LENGTH, jsonMaxStringLength);
        if (m.contains("DocumentLength")) return refusal(ErrorCode.PAYLOAD_TOO_LARGE, what, "bytes", REQUEST_BYTES, maxRequestBytes);
        return new PoiskException(ErrorCode.INVALID_JSON, what + " is over a JSON size limit");
    }

    static PoiskException refusal(ErrorCode code, String subject, String unit, String key, long limit) {
        return new PoiskException(code, subject + " over the limit of " + limit + " " + unit + " (configured by " + key + ")");
    }
}
