package io.poisk.server.http;

import io.poisk.server.wire.ErrorResponses;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per HTTP request on its own logger ({@value #LOGGER}), so operators can route or silence it apart
 * from the server log. The fields go in as SLF4J key-values: the text format shows them as {@code key=value},
 * the JSON format (log.format=json) as JSON fields. The path is logged without its query string, which may
 * carry a query text or, later, a key.
 */
public final class AccessLog {
    public static final String LOGGER = "poisk.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {
    }

    public static void handle(RoutingContext ctx) {
        long started = System.nanoTime();
        String id = ErrorResponses.requestId(ctx);
        ctx.addEndHandler(ar -> {
            if (!LOG.isInfoEnabled()) return;
            LOG.atInfo().setMessage("{} {} {}")
                    .addArgument(ctx.request().method()).addArgument(ctx.request().path()).addArgument(ctx.response().getStatusCode())
                    .addKeyValue("method", ctx.request().method().name())
                    .addKeyValue("path", ctx.request().path())
                    .addKeyValue("status", ctx.response().getStatusCode())
                    .addKeyValue("bytes", ctx.response().bytesWritten())
                    .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000.0)
                    .addKeyValue("request_id", id)
                    .addKeyValue("protocol", ctx.request().version() == null ? "" : ctx.request().version().alpnName())
                    .addKeyValue("completed", ar.succeeded())
                    .log();
        });
        ctx.next();
    }
}
