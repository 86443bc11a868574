package io.poisk.server.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits connections up to {@code limits.max_connections} (counted over every event loop) and closes an
 * HTTP/1 connection whose request head does not arrive within {@code limits.header_timeout_ms} (slow loris).
 * Vert.x has an idle timeout but no head timeout: a client sending one header byte every few seconds is never
 * idle. It also keeps the idle timeout ({@code limits.idle_timeout_ms}) for HTTP/1: a kept-alive connection is closed
 * when no next head arrives within it (plus the head timeout), while the server's own time on a request never counts
 * (Vert.x's idle timeout, which is off, counted a streamed ingest's embedding as idleness). An HTTP/2 connection
 * (TLS with ALPN) gets the same two timers: its first request within the head timeout, and after its last stream ends
 * a next one within the idle timeout (plus the head timeout); while any stream is in progress it is never idle. One
 * instance per HTTP server instance; its state is confined to that instance's event loop.
 */
final class ConnectionGate {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);

    private final Vertx vertx;
    private final ConnectionLimits limits;
    private final AtomicInteger open;
    /** This instance's connections counted in {@link #open}; each is released once, however it closes. */
    private final Set<HttpConnection> counted = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Connections waiting for a request head, with the timer that closes them. */
    private final Map<HttpConnection, Long> awaitingHead = new IdentityHashMap<>();
    /** HTTP/2 connections with requests in progress, and how many. */
    private final Map<HttpConnection, Integer> streams = new IdentityHashMap<>();

    ConnectionGate(Vertx vertx, ConnectionLimits limits, AtomicInteger open) {
        this.vertx = vertx;
        this.limits = limits;
        this.open = open;
    }

    /** For {@code HttpServer.connectionHandler}: refuses a connection over the cap, else starts its head timer. */
    void opened(HttpConnection connection) {
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            LOG.debug("closing a connection from {}: limits.max_connections={} are open", connection.remoteAddress(), limits.maxConnections());
            connection.close();
            return;
        }
        counted.add(connection);
        LOG.debug("connection from {} opened ({} open)", connection.remoteAddress(), open.get());
        connection.closeHandler(v -> released(connection));
        connection.exceptionHandler(e -> LOG.debug("connection from {} failed: {}", connection.remoteAddress(), e.toString()));
        awaitHead(connection, limits.headerTimeoutMs()); // HTTP/2 too: a TLS connection that never asks holds a place
    }

    /** An upgraded connection's HTTP close handler no longer runs: run this when its WebSocket closes, to release its place. */
    Runnable upgraded(HttpConnection connection) {
        return () -> released(connection);
    }

    private void released(HttpConnection connection) {
        if (counted.remove(connection)) LOG.debug("connection from {} closed ({} open)", connection.remoteAddress(), open.decrementAndGet());
        streams.remove(connection);
        stopWaiting(connection);
    }

    /** For the request handler: this request's head has arrived. */
    void headArrived(HttpServerRequest request) {
        stopWaiting(request.connection());
    }

    /**
     * For the first route: once the response is written, a kept-alive connection waits for its next head, for
     * the idle timeout plus the head timeout (a client may rightly keep a connection idle before its next request).
     */
    void watchNextHead(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HttpConnection connection = request.connection();
        if (request.version() == HttpVersion.HTTP_2) {
            streams.merge(connection, 1, Integer::sum);
            stopWaiting(connection);
            ctx.addEndHandler(ar -> {
                // the last stream in progress ended (or failed): from now on the connection is idle
                if (streams.computeIfPresent(connection, (c, n) -> n > 1 ? n - 1 : null) == null && counted.contains(connection)) {
                    awaitIdle(connection);
                }
            });
        } else if (!"websocket".equalsIgnoreCase(request.getHeader("upgrade"))) { // an upgraded connection carries no further heads
            ctx.addEndHandler(ar -> {
                if (ar.succeeded()) awaitIdle(connection);
            });
        }
        ctx.next();
    }

    private void awaitIdle(HttpConnection connection) {
        if (limits.idleTimeoutMs() > 0) awaitHead(connection, limits.idleTimeoutMs() + limits.headerTimeoutMs());
    }

    private void awaitHead(HttpConnection connection, long timeoutMs) {
        if (timeoutMs <= 0) return;
        stopWaiting(connection);
        long timer = vertx.setTimer(timeoutMs, t -> {
            if (awaitingHead.remove(connection) == null) return;
            LOG.debug("closing a connection from {}: no complete request head within {} ms (limits.header_timeout_ms)",
                    connection.remoteAddress(), timeoutMs);
            connection.close();
        });
        awaitingHead.put(connection, timer);
    }

    private void stopWaiting(HttpConnection connection) {
        Long timer = awaitingHead.remove(connection);
        if (timer != null) vertx.cancelTimer(timer);
    }

    /** Open connections now, for tests and /stats. */
    int openConnections() {
        return open.get();
    }
}
