package io.poisk.core;

/** Stable error codes of the public API, each with the HTTP status it maps to. */
public enum ErrorCode {
    BAD_REQUEST("bad_request", 400),
    INVALID_JSON("invalid_json", 400),
    INVALID_NAME("invalid_name", 400),
    INVALID_DOCUMENT("invalid_document", 400),
    INVALID_QUERY("invalid_query", 400),
    /** An operation a sharded collection (cluster mode) does not offer; the message names what works instead. */
    NOT_SUPPORTED_ON_SHARDED_COLLECTION("not_supported_on_sharded_collection", 400),
    UNKNOWN_MODEL("unknown_model", 400),
    /** No API key, or one that is unknown or revoked, while auth is on; sent with {@code WWW-Authenticate: Bearer}. */
    UNAUTHORIZED("unauthorized", 401),
    /** A valid key without the scope, collection or origin the request needs. */
    FORBIDDEN("forbidden", 403),
    KEY_NOT_FOUND("key_not_found", 404),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
    COLLECTION_NOT_FOUND("collection_not_found", 404),
    DOCUMENT_NOT_FOUND("document_not_found", 404),
    ALIAS_NOT_FOUND("alias_not_found", 404),
    NOT_FOUND("not_found", 404),
    METHOD_NOT_ALLOWED("method_not_allowed", 405),
    REQUEST_TIMEOUT("request_timeout", 408),
    COLLECTION_EXISTS("collection_exists", 409),
    TOO_MANY_COLLECTIONS("too_many_collections", 409),
    /** A name clash between aliases and collections, or a collection that aliases still point to; the message says which. */
    ALIAS_CONFLICT("alias_conflict", 409),
    /** A typed field is declared already, with another type. */
    FIELD_EXISTS("field_exists", 409),
    PAYLOAD_TOO_LARGE("payload_too_large", 413),
    URI_TOO_LONG("uri_too_long", 414),
    OVERLOADED("overloaded", 429),
    /** The key spent its request budget (auth.rate_limit_per_second or its own rate_limit); sent with Retry-After. */
    RATE_LIMITED("rate_limited", 429),
    UNAVAILABLE("unavailable", 503),
    /** A search passed its deadline (limits.request_timeout_ms, or the request's own); the engine stopped its work. */
    DEADLINE_EXCEEDED("deadline_exceeded", 504),
    /** The collection failed to open (damaged files); the others serve. */
    COLLECTION_UNAVAILABLE("collection_unavailable", 503),
    /** The collection serves reads only (e.g. its log is damaged) until an operator repairs it. */
    COLLECTION_READ_ONLY("collection_read_only", 503),
    /** The disk is full or the configured disk cap is reached; writes resume once there is room. */
    INSUFFICIENT_STORAGE("insufficient_storage", 507),
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
