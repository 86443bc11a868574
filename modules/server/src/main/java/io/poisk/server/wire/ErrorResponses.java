package io.poisk.server.wire;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.server.metrics.ServerMeters;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Writes {@code {"error":{"code","message"}}} with the status of the error's code. Logging follows whose fault
 * it is: our own (500) is an ERROR with its stack trace, a client's error one DEBUG line, a client that went
 * away a DEBUG line and no reply. Every error reply carries an {@code x-request-id} that the log lines name.
 */
public final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
    private static final String REQUEST_ID = "x-request-id";
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final AtomicLong NEXT_ID = new AtomicLong();
    private static final String ID_PREFIX = Long.toString(System.currentTimeMillis() % 1_000_000, 36) + "-";

    /** Routing-context key of the message for a 503 set by the request's deadline (server/http RequestDeadline). */
    public static final String DEADLINE_MESSAGE = "poisk.deadline.message";

    private ErrorResponses() {
    }

    /** Sends the error for any failure; unexpected ones (not a PoiskException, or INTERNAL) are logged. */
    public static void send(RoutingContext ctx, Throwable failure) {
        if (ClientFaults.isDisconnect(failure)) {
            connectionFailed(ctx, failure);
            return;
        }
        WireError e = WireError.of(failure);
        ctx.put(ServerMeters.ERROR_CODE, e.code().code());
        String id = requestId(ctx);
        if (!ctx.response().headWritten()) ctx.response().putHeader(REQUEST_ID, id);
        if (e.internal()) {
            LOG.error("{} {} failed (request {})", ctx.request().method(), ctx.request().path(), id, failure);
            send(ctx.response(), e.code(), e.message() + " (request " + id + ")");
        } else {
            LOG.debug("{} {}: {} {} (request {})", ctx.request().method(), ctx.request().path(), e.httpStatus(),
                    e.message(), id);
            send(ctx.response(), e.code(), e.message());
        }
    }

    /** A client that closed or broke its connection: nobody to answer, and not our fault. */
    public static void connectionFailed(RoutingContext ctx, Throwable failure) {
        if (ctx == null) {
            LOG.debug("connection failed: {}", failure.toString());
        } else {
            LOG.debug("{} {}: connection failed: {}", ctx.request().method(), ctx.request().path(), failure.toString());
            if (!ctx.response().ended() && !ctx.response().closed() && !ctx.response().headWritten()) {
                send(ctx.response(), ErrorCode.BAD_REQUEST, "the request could not be read: " + failure.getMessage());
            }
        }
    }

    /** The client's {@code x-request-id} when it is a plain token, else one of ours; the same for the whole request. */
    public static String requestId(RoutingContext ctx) {
        String id = ctx.get(REQUEST_ID);
        if (id != null) return id;
        String given = ctx.request().getHeader(REQUEST_ID);
        id = given != null && CLIENT_REQUEST_ID.matcher(given).matches() ? given : ID_PREFIX + NEXT_ID.incrementAndGet();
        ctx.put(REQUEST_ID, id);
        return id;
    }

    public static void send(HttpServerResponse response, ErrorCode code, String message) {
        send(response, code, message, Map.of());
    }

    /** As above, with {@code extra} top-level members beside {@code error} (e.g. how much of a stream was applied). */
    public static void send(HttpServerResponse response, ErrorCode code, String message, Map<String, Object> extra) {
        if (response.ended() || response.closed()) return;
        if (response.headWritten()) {
            // Too late for a status line: cut the response so the client sees it as broken, not complete.
            response.reset();
            return;
        }
        response.setStatusCode(code.httpStatus())
                .putHeader("content-type", "application/json; charset=utf-8")
                .end(ResponseEncoder.toBuffer(ResponseEncoder.error(code.code(), message, extra)));
    }

    /** Maps a bare status set by Vert.x Web (no route, wrong method, body too large) to our error shape. */
    public static void sendStatus(RoutingContext ctx) {
        int status = ctx.statusCode();
        Throwable failure = ctx.failure();
        if (failure != null && (PoiskException.from(failure).code() != ErrorCode.INTERNAL || ClientFaults.isDisconnect(failure)
                || ClientFaults.classify(failure).code() != ErrorCode.INTERNAL)) {
            send(ctx, failure);
            return;
        }
        String path = ctx.request().path();
        switch (status) {
            case 404 -> send(ctx.response(), ErrorCode.NOT_FOUND, "no route for " + ctx.request().method() + " " + path
                    + "; routes: GET /health, GET|PUT|DELETE /collections/{name}, GET /collections,"
                    + " POST /collections/{name}/documents, GET|DELETE /collections/{name}/documents/{id},"
                    + " POST /collections/{name}/search, GET /collections/{name}/search/stream, GET /ws/search (WebSocket),"
                    + " GET /collections/{name}/quarantine, GET /collections/{name}/documents (export), GET /collections/{name}/export,"
                    + " GET /aliases, GET|PUT|DELETE /aliases/{alias}, GET|POST /keys, DELETE /keys/{id}, GET /stats, GET /openapi.yaml,"
                    + " GET / (live-search page)");
            case 405 -> send(ctx.response(), ErrorCode.METHOD_NOT_ALLOWED, "method " + ctx.request().method()
                    + " is not allowed on " + path + "; allowed: " + allowedMethods(path));
            case 413 -> send(ctx.response(), ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than the limit configured by max_request_bytes");
            case 400 -> send(ctx.response(), ErrorCode.BAD_REQUEST, failure == null ? "bad request" : "bad request: " + failure.getMessage());
            case 415 -> send(ctx.response(), ErrorCode.UNSUPPORTED_MEDIA_TYPE, "unsupported Content-Type");
            case 503 -> send(ctx.response(), ErrorCode.UNAVAILABLE, ctx.get(DEADLINE_MESSAGE, "the server cannot serve this request now"));
            default -> {
                if (failure != null || status >= 500 || status < 400) {
                    send(ctx, failure != null ? failure : new IllegalStateException("status " + status));
                } else {
                    send(ctx.response(), ErrorCode.BAD_REQUEST, "request failed with status " + status);
                }
            }
        }
    }

    /** The methods the route table accepts for a path, for 405 messages. */
    static String allowedMethods(String path) {
        String[] parts = path.replaceAll("^/+|/+$", "").split("/+");
        if (parts.length == 1) {
            if (parts[0].equals("keys")) return "GET, POST";
            return List.of("", "health", "collections", "stats", "openapi.yaml", "aliases").contains(parts[0]) ? "GET" : "none";
        }
        if (parts[0].equals("ws") || parts[0].equals("ui")) return "GET";
        if (parts[0].equals("keys")) return parts.length == 2 ? "DELETE" : "none";
        if (parts[0].equals("aliases")) return parts.length == 2 ? "GET, PUT, DELETE" : "none";
        if (!parts[0].equals("collections")) return "none";
        return switch (parts.length) {
            case 2 -> "GET, PUT, DELETE";
            case 3 -> parts[2].equals("documents") ? "GET, POST" : parts[2].equals("search") ? "POST"
                    : parts[2].equals("quarantine") || parts[2].equals("export") ? "GET" : "none";
            case 4 -> parts[2].equals("documents") ? "GET, DELETE"
                    : parts[2].equals("search") && parts[3].equals("stream") ? "GET" : "none";
            default -> "none";
        };
    }
}
