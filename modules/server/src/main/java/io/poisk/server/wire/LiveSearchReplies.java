package io.poisk.server.wire;

import io.poisk.engine.SearchPage;

import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON messages of live search, shared by the WebSocket and the SSE stream. */
public final class LiveSearchReplies {
    public static final String CANDIDATES = "candidates";
    public static final String FINAL = "final";
    public static final String ERROR = "error";
    public static final String CANCELLED = "cancelled";

    private LiveSearchReplies() {
    }

    /** {@code {"id":n,"phase":"candidates|final","hits":[…],"took_ms":n}}; id omitted when null (SSE). */
    public static Map<String, Object> page(Long id, String phase, SearchPage response) {
        Map<String, Object> m = head(id, phase);
        m.putAll(ResponseEncoder.search(response));
        return m;
    }

    /** {@code {"id":n,"phase":"error","error":{"code","message"}}}; internal errors hide their details. */
    public static Map<String, Object> error(Long id, Throwable failure) {
        Map<String, Object> m = head(id, ERROR);
        m.putAll(WireError.of(failure).body());
        return m;
    }

    /** {@code {"id":n,"phase":"cancelled","superseded_by":m}}: a newer query replaced this one. */
    public static Map<String, Object> cancelled(long id, long supersededBy) {
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
