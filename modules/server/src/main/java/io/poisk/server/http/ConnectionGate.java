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
 * (Vert.x's idle timeout, which is off, counted a streamed ingest's embedding as idleness). One instance per HTTP server instance; its state is confined to that instance's event loop.
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
        if (connection.protocolVersion() != HttpVersion.HTTP_2) awaitHead(connection, limits.headerTimeoutMs());
    }

    /** An upgraded connection's HTTP close handler no longer runs: run this when its WebSocket closes, to release its place. */
    Runnable upgraded(HttpConnection connection) {
        return () -> released(connection);
    }

    private void released(HttpConnection connection) {
        if (counted.remove(connection)) LOG.debug("connection from {} closed ({} open)", connection.remoteAddress(), open.decrementAndGet());
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
        // An upgraded (WebSocket) connection carries no further heads; HTTP/2 streams are not HTTP/1 heads.
        if (request.version() != HttpVersion.HTTP_2 && !"websocket".equalsIgnoreCase(request.getHeader("upgrade"))) {
            HttpConnection connection = request.connection();
            ctx.addEndHandler(ar -> {
                if (ar.succeeded() && limits.idleTimeoutMs() > 0) awaitHead(connection, limits.idleTimeoutMs() + limits.headerTimeoutMs());
            });
        }
        ctx.next();
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
