package io.poisk.server.http;

import io.poisk.server.ClusterView;
import io.poisk.server.wire.ErrorResponses;
import io.vertx.ext.web.Router;

/** {@code GET /cluster} (admin: unlisted in the access table): the members this node sees, or this node alone. */
final class ClusterRoutes {
    private ClusterRoutes() {
    }

    static void install(Router router, ClusterView cluster) {
        router.get("/cluster").handler(ctx -> cluster.describe().onComplete(ar -> {
            if (ctx.response().ended() || ctx.response().closed()) return;
            if (ar.failed()) ErrorResponses.send(ctx, ar.cause());
            else ctx.response().putHeader("content-type", "application/json; charset=utf-8").end(ar.result().toBuffer());
        }));
    }
}
