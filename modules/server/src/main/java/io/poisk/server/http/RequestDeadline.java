package io.poisk.server.http;

import io.poisk.core.ErrorCode;
import io.poisk.server.wire.ErrorResponses;
import io.poisk.server.wire.RequestDeadlines;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.TimeoutHandler;

/**
 * The deadline of a route that is not a search (collections, documents, JSON ingest), built on Vert.x Web's
 * {@link TimeoutHandler}: past it the client gets 503 {@code unavailable} while the work itself goes on, so a write
 * the reply was cut from still completes (or fails) server-side, and the handlers that reply check that the
 * response is still open. It starts once the body is in (its upload is timed by {@code limits.body_timeout_ms});
 * searches have their own deadline in the engine (504), and an NDJSON stream has none: it may run as long as it
 * keeps sending.
 */
final class RequestDeadline {
    private final RequestDeadlines deadlines;

    RequestDeadline(RequestDeadlines deadlines) {
        this.deadlines = deadlines;
    }

    /**
     * A user handler, not the PlatformHandler itself: Vert.x Web runs platform handlers before the body handler,
     * which would time the upload too. A bad Request-Timeout header is a 400.
     */
    void start(RoutingContext ctx) {
        long ms = deadlines.of(ctx.request().getHeader(RequestDeadlines.HEADER)).toMillis();
        ctx.put(ErrorResponses.DEADLINE_MESSAGE, "the request did not finish within its deadline of " + ms + " ms (Request-Timeout, up to "
                + "limits.max_request_timeout_ms; default limits.request_timeout_ms); the write may still complete:"
                + " upserts and deletes are idempotent, retry it");
        TimeoutHandler.create(ms, ErrorCode.UNAVAILABLE.httpStatus()).handle(ctx);
    }
}
