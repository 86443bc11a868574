package io.poisk.server.http;

import io.poisk.core.PoiskException;
import io.poisk.engine.DocumentPage;
import io.poisk.engine.Engine;
import io.poisk.server.wire.ErrorResponses;
import io.poisk.server.wire.ResponseEncoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Export: {@code GET /collections/{name}/documents?limit=&cursor=} answers one page
 * {@code {"documents":[…],"next_cursor":"…"|null}}; the same path with {@code Accept: application/x-ndjson},
 * or {@code GET /collections/{name}/export}, streams the whole collection as NDJSON (see {@link NdjsonExport}).
 */
final class DocumentExportRoutes {
    private final Engine engine;
    private final Context context;

    DocumentExportRoutes(Engine engine, Context context) {
        this.engine = engine;
        this.context = context;
    }

    /** One page, or the NDJSON stream when the client accepts NDJSON by name. */
    void documents(RoutingContext ctx) {
        if (acceptsNdjson(ctx.request())) {
            export(ctx);
            return;
        }
        String name = HttpApiVerticle.name(ctx);
        int limit = limit(ctx);
        String cursor = single(ctx, "cursor");
        Future.fromCompletionStage(engine.documents(name, cursor, limit), context).onComplete(ar -> {
            if (ar.failed()) {
                ErrorResponses.send(ctx, ar.cause());
                return;
            }
            DocumentPage page = ar.result();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("documents", page.documents().stream().map(ResponseEncoder::document).toList());
            body.put("next_cursor", page.nextCursor());
            ctx.response().putHeader("content-type", "application/json; charset=utf-8").end(ResponseEncoder.toBuffer(body));
        });
    }

    /** The whole collection (from {@code cursor} when given) as NDJSON. */
    void export(RoutingContext ctx) {
        new NdjsonExport(ctx, engine, context, HttpApiVerticle.name(ctx), single(ctx, "cursor")).start();
    }

    private static int limit(RoutingContext ctx) {
        String value = single(ctx, "limit");
        if (value == null) return DocumentPage.DEFAULT_LIMIT;
        try {
            int limit = Integer.parseInt(value.trim());
            if (limit >= 1 && limit <= DocumentPage.MAX_LIMIT) return limit;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw PoiskException.badRequest("'limit' must be an integer from 1 to " + DocumentPage.MAX_LIMIT + " (default "
                + DocumentPage.DEFAULT_LIMIT + "), got '" + value + "'");
    }

    private static String single(RoutingContext ctx, String parameter) {
        List<String> values = ctx.queryParam(parameter);
        if (values.size() > 1) throw PoiskException.badRequest("'" + parameter + "' is given " + values.size() + " times; give it once");
        return values.isEmpty() || values.getFirst().isEmpty() ? null : values.getFirst();
    }

    /** True when the Accept header names application/x-ndjson itself (a wildcard gets the JSON page). */
    static boolean acceptsNdjson(HttpServerRequest request) {
        String accept = request.getHeader("accept");
        if (accept == null) return false;
        for (String part : accept.split(",")) {
            int semicolon = part.indexOf(';');
            String type = (semicolon < 0 ? part : part.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
            if (type.equals(HttpApiVerticle.NDJSON)) return true;
        }
        return false;
    }
}
