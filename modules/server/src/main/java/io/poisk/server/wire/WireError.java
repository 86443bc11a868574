package io.poisk.server.wire;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.util.Map;

/**
 * The one mapping from a failure to what a client sees, shared by HTTP, NDJSON ingest, WebSocket, SSE and
 * the event bus: a {@link PoiskException}'s code (so its HTTP status) and message; anything else, or an
 * INTERNAL error, becomes {@code internal} with a message that hides the details, and {@link #internal()}
 * tells the transport to log the cause.
 */
public record WireError(ErrorCode code, String message, boolean internal) {
    public static final String INTERNAL_MESSAGE = "internal error; the server log has the details";

    public static WireError of(Throwable failure) {
        PoiskException e = ClientFaults.classify(failure);
        boolean internal = e.code() == ErrorCode.INTERNAL;
        return new WireError(e.code(), internal ? INTERNAL_MESSAGE : e.getMessage(), internal);
    }

    public int httpStatus() {
        return code.httpStatus();
    }

    /** {@code {"error":{"code","message"}}}. */
    public Map<String, Object> body() {
        return ResponseEncoder.error(code.code(), message);
    }
}
