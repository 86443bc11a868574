package io.poisk.server;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Writes {@code {"error":{"code","message"}}} with the status of the error's code. */
final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    /** Sends the error for any failure; unexpected ones (not a PoiskException, or INTERNAL) are logged. */
    static void send(RoutingContext ctx, Throwable failure) {
        PoiskException e = PoiskException.from(failure);
        if (e.code() == ErrorCode.INTERNAL) {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
            send(ctx.response(), ErrorCode.INTERNAL, "internal error; the server log has the details");
        } else {
            send(ctx.response(), e.code(), e.getMessage());
        }
    }

    static void send(HttpServerResponse response, ErrorCode code, String message) {
        if (response.ended() || response.closed()) return;
        if (response.headWritten()) {
            // Too late for a status line: cut the response so the client sees it as broken, not complete.
            response.reset();
            return;
        }
        response.setStatusCode(code.httpStatus())
                .putHeader("content-type", "application/json; charset=utf-8")
                .end(ResponseEncoder.toBuffer(ResponseEncoder.error(code.code(), message)));
    }

    /** Maps a bare status set by Vert.x Web (no route, wrong method, body too large) to our error shape. */
    static void sendStatus(RoutingContext ctx) {
        int status = ctx.statusCode();
        Throwable failure = ctx.failure();
        if (failure != null && (failure instanceof PoiskException || failure.getCause() instanceof PoiskException)) {
            send(ctx, failure);
            return;
        }
        String path = ctx.request().path();
        switch (status) {
            case 404 -> send(ctx.response(), ErrorCode.NOT_FOUND, "no route for " + ctx.request().method() + " " + path
                    + "; routes: GET /health, GET|PUT|DELETE /collections/{name}, GET /collections,"
                    + " POST /collections/{name}/documents, GET|DELETE /collections/{name}/documents/{id},"
                    + " POST /collections/{name}/search, GET /collections/{name}/search/stream, GET /ws/search (WebSocket),"
                    + " GET /collections/{name}/quarantine, GET /stats, GET /openapi.yaml, GET / (live-search page)");
            case 405 -> send(ctx.response(), ErrorCode.METHOD_NOT_ALLOWED, "method " + ctx.request().method()
                    + " is not allowed on " + path + "; allowed: " + allowedMethods(path));
            case 413 -> send(ctx.response(), ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than max_request_bytes");
            case 400 -> send(ctx.response(), ErrorCode.BAD_REQUEST, failure == null ? "bad request" : "bad request: " + failure.getMessage());
            case 415 -> send(ctx.response(), ErrorCode.UNSUPPORTED_MEDIA_TYPE, "unsupported Content-Type");
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
            return List.of("", "health", "collections", "stats", "openapi.yaml").contains(parts[0]) ? "GET" : "none";
        }
        if (parts[0].equals("ws") || parts[0].equals("ui")) return "GET";
        if (!parts[0].equals("collections")) return "none";
        return switch (parts.length) {
            case 2 -> "GET, PUT, DELETE";
            case 3 -> parts[2].equals("documents") || parts[2].equals("search") ? "POST" : parts[2].equals("quarantine") ? "GET" : "none";
            case 4 -> parts[2].equals("documents") ? "GET, DELETE"
                    : parts[2].equals("search") && parts[3].equals("stream") ? "GET" : "none";
            default -> "none";
        };
    }
}
