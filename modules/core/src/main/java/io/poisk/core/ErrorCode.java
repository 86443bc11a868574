package io.poisk.core;

/** Stable error codes of the public API, each with the HTTP status it maps to. */
public enum ErrorCode {
    BAD_REQUEST("bad_request", 400),
    INVALID_JSON("invalid_json", 400),
    INVALID_NAME("invalid_name", 400),
    INVALID_DOCUMENT("invalid_document", 400),
    INVALID_QUERY("invalid_query", 400),
    UNKNOWN_MODEL("unknown_model", 400),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
    COLLECTION_NOT_FOUND("collection_not_found", 404),
    DOCUMENT_NOT_FOUND("document_not_found", 404),
    NOT_FOUND("not_found", 404),
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    COLLECTION_EXISTS("collection_exists", 409),
    PAYLOAD_TOO_LARGE("payload_too_large", 413),
    OVERLOADED("overloaded", 429),
    UNAVAILABLE("unavailable", 503),
    INTERNAL("internal", 500);

    private final String code;
    private final int httpStatus;

    ErrorCode(String code, int httpStatus) {
        this.code = code;
        this.httpStatus = httpStatus;
    }

    /** The machine-readable code sent to clients, e.g. {@code "collection_not_found"}. */
    public String code() {
        return code;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
