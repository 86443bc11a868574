package io.poisk.server.http;

import io.poisk.core.PoiskConfig;

/**
 * What one client may hold of the server's sockets and time (config keys {@code limits.*}): slow or idle
 * clients are cut off, so they cannot exhaust connections or memory.
 *
 * @param maxConnections  open HTTP/WebSocket connections, all event loops together; over it a new one is closed at once
 * @param idleTimeoutMs   a kept-alive HTTP/1 connection that sends no next request for this long (plus the head
 *                        timeout) is closed (0: never); the server's own time on a request never counts
 * @param headerTimeoutMs a request's line and headers must arrive within this after the connection opened or the
 *                        previous response ended, else the connection is closed (no reply is possible: no request yet)
 * @param bodyTimeoutMs   a buffered (JSON) body must arrive within this after its headers; a streamed (NDJSON) body may
 *                        not pause longer while the server reads it; else 408 and the connection is closed (0: never)
 */
public record ConnectionLimits(int maxConnections, long idleTimeoutMs, long headerTimeoutMs, long bodyTimeoutMs) {
    static final ConnectionLimits DEFAULTS = from(PoiskConfig.defaults());

    public ConnectionLimits {
        if (maxConnections < 1) throw new IllegalArgumentException("limits.max_connections must be at least 1, got " + maxConnections);
    }

    public static ConnectionLimits from(PoiskConfig config) {
        return new ConnectionLimits(config.integer("limits.max_connections"), config.longValue("limits.idle_timeout_ms"),
                config.longValue("limits.header_timeout_ms"), config.longValue("limits.body_timeout_ms"));
    }
}
