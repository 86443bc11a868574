package io.poisk.server.http;

import io.poisk.core.CollectionName;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.Engine;
import io.poisk.server.wire.AliasRequest;
import io.poisk.server.wire.ErrorResponses;
import io.poisk.server.wire.RequestDecoder;
import io.poisk.server.wire.ResponseEncoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /aliases}: {@code PUT /aliases/{alias} {"collection":"…"}} (201 new, 200 re-pointed),
 * {@code GET /aliases}, {@code GET /aliases/{alias}}, {@code DELETE /aliases/{alias}}. The rules live in
 * the engine; these handlers only translate.
 */
final class AliasRoutes {
    private final Engine engine;
    private final RequestDecoder decoder;
    private final Context context;

    AliasRoutes(Engine engine, RequestDecoder decoder, Context context) {
        this.engine = engine;
        this.decoder = decoder;
        this.context = context;
    }

    void put(RoutingContext ctx) {
        String alias = alias(ctx);
        AliasRequest request = AliasRequest.parse(HttpApiVerticle.bodyBytes(ctx), decoder);
        Future.fromCompletionStage(engine.putAlias(alias, request.collection()), context).onComplete(ar -> {
            if (ar.failed()) {
                ErrorResponses.send(ctx, ar.cause());
            } else {
                json(ctx, ar.result() ? 201 : 200, entry(alias, request.collection()));
            }
        });
    }

    void list(RoutingContext ctx) {
        Future.fromCompletionStage(engine.aliases(), context).onComplete(ar -> {
            if (ar.failed()) {
                ErrorResponses.send(ctx, ar.cause());
            } else {
                json(ctx, 200, Map.of("aliases", ar.result()));
            }
        });
    }

    void get(RoutingContext ctx) {
        String alias = alias(ctx);
        Future.fromCompletionStage(engine.alias(alias), context).onComplete(ar -> {
            if (ar.failed()) {
                ErrorResponses.send(ctx, ar.cause());
            } else {
                json(ctx, 200, entry(alias, ar.result()));
            }
        });
    }

    void delete(RoutingContext ctx) {
        String alias = alias(ctx);
        Future.fromCompletionStage(engine.deleteAlias(alias), context).onComplete(ar -> {
            if (ar.failed()) {
                ErrorResponses.send(ctx, ar.cause());
            } else if (!ar.result()) {
                ErrorResponses.send(ctx, new PoiskException(ErrorCode.ALIAS_NOT_FOUND, "alias '" + alias + "' does not exist"));
            } else {
                json(ctx, 200, Map.of("deleted", true));
            }
        });
    }

    private static Map<String, Object> entry(String alias, String collection) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alias", alias);
        m.put("collection", collection);
        return m;
    }

    private static String alias(RoutingContext ctx) {
        return CollectionName.validate(ctx.pathParam("alias"));
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
                .end(ResponseEncoder.toBuffer(body));
    }
}
