package io.poisk.core;

import java.util.Map;

/**
 * A validated query. {@code instruction} may be null; {@code mode} defaults to hybrid; {@code filter} is
 * an empty map when absent.
 * Validation of the wire form happens in the server; this record only checks invariants.
 */
public record SearchRequest(String query, String instruction, int k, SearchMode mode, Map<String, Object> filter) {
    public static final int MAX_K = 1000;

    public SearchRequest {
        if (query == null || query.isBlank()) throw new PoiskException(ErrorCode.INVALID_QUERY, "'query' must be a non-empty string");
        if (k < 1 || k > MAX_K) throw new PoiskException(ErrorCode.INVALID_QUERY, "'k' must be between 1 and " + MAX_K + ", got " + k);
        mode = mode == null ? SearchMode.HYBRID : mode;   // the HTTP contract's default
        filter = filter == null ? Map.of() : filter;
    }

    public static SearchRequest dense(String query, int k) {
        return new SearchRequest(query, null, k, SearchMode.DENSE, Map.of());
    }
}
