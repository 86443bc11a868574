package io.poisk.server.http;

import io.poisk.engine.Engine;
import io.poisk.engine.Readiness;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

import java.util.List;

/**
 * {@code GET /health/live} (the process answers) and {@code GET /health/ready} (200 once the default model is
 * loaded, can be inferred (remote inference: a live worker serves it) and the data directory takes writes; 503 with
 * the reasons otherwise), as Vert.x health procedures so the
 * answer has the usual {@code {"status":"UP|DOWN","checks":[...]}} shape. {@code GET /health} is left as it was.
 */
final class HealthRoutes {
    private HealthRoutes() {
    }

    static void install(Router router, Vertx vertx, Context context, Engine engine) {
        HealthChecks live = HealthChecks.create(vertx).register("process", promise -> promise.complete(Status.OK()));
        // one procedure, so one request probes the data directory once
        HealthChecks ready = HealthChecks.create(vertx).register("engine", promise ->
                Future.fromCompletionStage(engine.readiness(), context).onComplete(ar -> {
                    if (ar.failed()) {
                        promise.complete(Status.KO(new JsonObject().put("reasons", List.of(String.valueOf(ar.cause().getMessage())))));
                        return;
                    }
                    Readiness r = ar.result();
                    JsonObject data = new JsonObject().put("default_model", r.defaultModel()).put("default_model_loaded", r.defaultModelLoaded())
                            // an unavailable collection is reported, not waited on: the others serve
                            .put("unavailable_collections", r.unavailableCollections())
                            .put("data_dir_writable", r.dataDirProblem() == null)
                            .put("inference_available", r.inferenceProblem() == null).put("reasons", r.reasons());
                    promise.complete(r.ready() ? Status.OK(data) : Status.KO(data));
                }));
        router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(live));
        router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
    }

}
