package io.poisk.server.http;

import io.poisk.server.wire.ErrorResponses;
import io.poisk.core.ErrorCode;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code limits.body_timeout_ms} for buffered bodies: {@link #start} goes before the BodyHandler and
 * {@link #arrived} after it; a body not complete in time gets 408 and its connection is closed. Vert.x Web's
 * TimeoutHandler times the whole request, model inference included, so it cannot tell a slow client from a
 * busy server; this times the upload alone.
 */
final class BodyDeadline {
    private static final Logger LOG = LoggerFactory.getLogger(BodyDeadline.class);
    private static final String EXPIRED = "poisk.body-deadline.expired";
    private static final String TIMER = "poisk.body-deadline.timer";

    private final long timeoutMs;

    BodyDeadline(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    void start(RoutingContext ctx) {
        if (timeoutMs > 0) {
            long timer = ctx.vertx().setTimer(timeoutMs, t -> expire(ctx));
            ctx.put(TIMER, timer);
            ctx.addEndHandler(ar -> ctx.vertx().cancelTimer(timer));
        }
        ctx.next();
    }

    void arrived(RoutingContext ctx) {
        Long timer = ctx.get(TIMER);
        if (timer != null) ctx.vertx().cancelTimer(timer);
        if (Boolean.TRUE.equals(ctx.get(EXPIRED))) return; // already answered 408
        ctx.next();
    }

    private void expire(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().closed()) return;
        ctx.put(EXPIRED, true);
        LOG.debug("{} {}: body not received within limits.body_timeout_ms={}", ctx.request().method(), ctx.request().path(), timeoutMs);
        sendTimeout(ctx, "the request body did not arrive within " + timeoutMs + " ms (configured by limits.body_timeout_ms)");
    }

    /** 408, then the HTTP/1 connection is closed: the rest of a slow body is not worth reading. */
    static void sendTimeout(RoutingContext ctx, String message) {
        if (ctx.request().version() != HttpVersion.HTTP_2) {
            ctx.response().putHeader("connection", "close");
            ctx.addEndHandler(ar -> ctx.request().connection().close());
        }
        ErrorResponses.send(ctx.response(), ErrorCode.REQUEST_TIMEOUT, message);
    }
}
