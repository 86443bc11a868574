package io.poisk.server;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON messages of live search, shared by the WebSocket and the SSE stream. */
final class LiveSearchReplies {
    static final String CANDIDATES = "candidates";
    static final String FINAL = "final";
    static final String ERROR = "error";
    static final String CANCELLED = "cancelled";

    private LiveSearchReplies() {
    }

    /** {@code {"id":n,"phase":"candidates|final","hits":[…],"took_ms":n}}; id omitted when null (SSE). */
    static Map<String, Object> page(Long id, String phase, SearchResult response) {
        Map<String, Object> m = head(id, phase);
        m.putAll(ResponseEncoder.search(response));
        return m;
    }

    /** {@code {"id":n,"phase":"error","error":{"code","message"}}}; internal errors hide their details. */
    static Map<String, Object> error(Long id, Throwable failure) {
        PoiskException e = PoiskException.from(failure);
        String message = e.code() == ErrorCode.INTERNAL ? "internal error; the server log has the details" : e.getMessage();
        Map<String, Object> m = head(id, ERROR);
        m.putAll(ResponseEncoder.error(e.code().code(), message));
        return m;
    }

    /** {@code {"id":n,"phase":"cancelled","superseded_by":m}}: a newer query replaced this one. */
    static Map<String, Object> cancelled(long id, long supersededBy) {
        Map<String, Object> m = head(id, CANCELLED);
        m.put("superseded_by", supersededBy);
        return m;
    }

    private static Map<String, Object> head(Long id, String phase) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("phase", phase);
        return m;
    }
}
