package io.poisk.server.http;

import io.poisk.core.CollectionName;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.Engine;
import io.poisk.server.wire.ErrorResponses;
import io.poisk.server.wire.RequestDecoder;
import io.poisk.server.wire.ResponseEncoder;
import io.poisk.server.wire.RestoreRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Snapshot, download, restore and whole-server backup routes. An archive is never held in memory: a download is
 * written to a temporary file by the engine and sent with {@code sendFile}; an upload is streamed to a temporary
 * file (with back-pressure, bounded by {@code limits.max_restore_bytes}, not by {@code max_request_bytes}) and
 * restored from there by the engine.
 */
final class SnapshotRoutes {
    static final String OCTET_STREAM = "application/octet-stream";

    private final Engine engine;
    private final RequestDecoder decoder;
    private final Vertx vertx;
    private final Context context;

    SnapshotRoutes(Engine engine, RequestDecoder decoder, Vertx vertx, Context context) {
        this.engine = engine;
        this.decoder = decoder;
        this.vertx = vertx;
        this.context = context;
    }

    /** {@code bufferedJson}: how the verticle adds a type check, an upload deadline and a bounded body to a route. */
    void mount(Router router, UnaryOperator<Route> bufferedJson) {
        router.post("/snapshots").handler(ctx -> reply(ctx, 201, engine.snapshotAll(), ResponseEncoder::snapshots));
        router.post("/collections/:name/snapshots").handler(ctx ->
                reply(ctx, 201, engine.createSnapshot(name(ctx)), ResponseEncoder::snapshot));
        router.get("/collections/:name/snapshots").handler(ctx ->
                reply(ctx, 200, engine.listSnapshots(name(ctx)), ResponseEncoder::snapshots));
        router.get("/collections/:name/snapshots/:id").handler(this::download);
        router.delete("/collections/:name/snapshots/:id").handler(ctx -> {
            String name = name(ctx), id = ctx.pathParam("id");
            reply(ctx, 200, engine.deleteSnapshot(name, id), deleted -> {
                if (!deleted) throw new PoiskException(ErrorCode.NOT_FOUND, "collection '" + name + "' has no snapshot '" + id + "'");
                return Map.of("deleted", true);
            });
        });
        // The archive itself is streamed to disk by its own route; every other type falls through to the JSON one.
        router.post("/collections/:name/restore").consumes(OCTET_STREAM).handler(this::restoreUpload);
        bufferedJson.apply(router.post("/collections/:name/restore")).handler(ctx -> {
            RestoreRequest from = RestoreRequest.parse(bodyBytes(ctx), decoder);
            reply(ctx, 201, engine.restoreSnapshot(name(ctx), from.collection(), from.snapshot()), ResponseEncoder::collection);
        });
    }

    private void download(RoutingContext ctx) {
        String name = name(ctx), id = ctx.pathParam("id");
        Future.fromCompletionStage(engine.snapshotArchive(name, id), context).onComplete(ar -> {
            if (ar.failed()) {
                ErrorResponses.send(ctx, ar.cause());
                return;
            }
            Path file = ar.result();
            ctx.response().putHeader("content-type", "application/x-tar")
                    .putHeader("content-disposition", "attachment; filename=\"" + name + "-" + id + ".tar\"")
                    .sendFile(file.toString())
                    .onComplete(sent -> vertx.fileSystem().delete(file.toString()));
        });
    }

    private void restoreUpload(RoutingContext ctx) {
        String name = name(ctx);
        HttpServerRequest request = ctx.request();
        long limit = engine.maxRestoreBytes();
        String length = request.getHeader("content-length");
        if (length != null && parseLength(length) > limit) throw tooLarge(limit);
        request.pause();
        Path file = engine.newUploadFile();
        vertx.fileSystem().open(file.toString(), new OpenOptions().setWrite(true).setCreateNew(true)).onComplete(opened -> {
            if (opened.failed()) {
                request.resume();
                ErrorResponses.send(ctx, opened.cause());
                return;
            }
            new Upload(ctx, opened.result(), file, limit, name).start();
        });
    }

    /** One archive upload: bytes to the file as they come (pausing the request while the file's queue is full). */
    private final class Upload {
        private final RoutingContext ctx;
        private final AsyncFile out;
        private final Path file;
        private final long limit;
        private final String name;
        private long received;
        private boolean failed;

        Upload(RoutingContext ctx, AsyncFile out, Path file, long limit, String name) {
            this.ctx = ctx;
            this.out = out;
            this.file = file;
            this.limit = limit;
            this.name = name;
        }

        void start() {
            HttpServerRequest request = ctx.request();
            out.drainHandler(v -> request.resume());
            request.handler(buf -> {
                if (failed) return;
                received += buf.length();
                if (received > limit) {
                    fail(tooLarge(limit));
                    return;
                }
                out.write(buf);
                if (out.writeQueueFull()) request.pause();
            });
            request.exceptionHandler(this::fail);
            request.endHandler(v -> {
                if (failed) return;
                out.close().onComplete(closed -> {
                    if (closed.failed()) {
                        fail(closed.cause());
                        return;
                    }
                    reply(ctx, 201, engine.restoreArchive(name, file), ResponseEncoder::collection);
                });
            });
            request.resume();
        }

        private void fail(Throwable e) {
            if (failed) return;
            failed = true;
            ctx.request().resume(); // the rest of the body is read and dropped
            out.close().onComplete(c -> vertx.fileSystem().delete(file.toString()));
            if (!ctx.response().ended()) ErrorResponses.send(ctx, e);
        }
    }

    private static long parseLength(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            throw PoiskException.badRequest("invalid Content-Length '" + length + "'");
        }
    }

    private static PoiskException tooLarge(long limit) {
        return new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE, "the snapshot archive is larger than limits.max_restore_bytes="
                + limit + "; raise that limit to restore it");
    }

    private static String name(RoutingContext ctx) {
        return CollectionName.validate(ctx.pathParam("name"));
    }

    private static byte[] bodyBytes(RoutingContext ctx) {
        return ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    }

    private <T> void reply(RoutingContext ctx, int status, CompletableFuture<T> result, Function<T, Object> toJson) {
        Future.fromCompletionStage(result, context).onComplete(ar -> {
            if (ar.failed()) {
                ErrorResponses.send(ctx, ar.cause());
                return;
            }
            try {
                Object json = toJson.apply(ar.result());
                ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
                        .end(ResponseEncoder.toBuffer(json));
            } catch (RuntimeException e) {
                ErrorResponses.send(ctx, e);
            }
        });
    }
}
