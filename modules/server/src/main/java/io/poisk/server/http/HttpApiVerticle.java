package io.poisk.server.http;

import io.poisk.core.CollectionName;
import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.Engine;
import io.poisk.engine.SearchRequest;
import io.poisk.server.ClusterView;
import io.poisk.server.auth.HttpAccess;
import io.poisk.server.auth.KeyRoutes;
import io.poisk.server.auth.PageSecurity;
import io.poisk.server.live.LiveSearchLimits;
import io.poisk.server.live.LiveSearchSocket;
import io.poisk.server.live.LiveSearchStream;
import io.poisk.server.wire.ApiLimits;
import io.poisk.server.wire.CollectionRequest;
import io.poisk.server.wire.ErrorResponses;
import io.poisk.server.wire.RequestDecoder;
import io.poisk.server.wire.RequestDeadlines;
import io.poisk.server.wire.ResponseEncoder;
import io.poisk.server.wire.UpdateDecoder;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The public HTTP API (see DESIGN.md, "Public contract"). Handlers only validate and translate;
 * all embedding and disk work goes through the {@link Engine} futures, so the event loop
 * never blocks. Deployed once per event loop, all instances sharing one port.
 */
public final class HttpApiVerticle extends VerticleBase {
    static final String JSON = "application/json";
    static final String NDJSON = "application/x-ndjson";
    /** Classpath folders of the live-search page and of the OpenAPI document. */
    static final String WEBROOT = "webroot";
    public static final String OPENAPI_RESOURCE = "openapi.yaml";
    static final int MAX_REQUEST_LINE = 4096;
    /** Bodies up to this size are decoded on the event loop (microseconds); larger ones on a worker thread. */
    static final int INLINE_DECODE_BYTES = 64 * 1024;

    private final Engine engine;
    private final ApiLimits limits;
    private final LiveSearchLimits liveLimits;
    private final ConnectionLimits connectionLimits;
    /** Open connections of all instances together, for {@code limits.max_connections}. */
    private final AtomicInteger openConnections;
    private final RequestDecoder decoder;
    private final UpdateDecoder updates;
    private final BodyDeadline bodyDeadline;
    private final RequestDeadline requestDeadline;
    private ConnectionGate gate;
    private final String host;
    private final int port;
    private HttpServer server;
    private Router router;
    private final HttpAccess access;
    private final OpsOptions ops;
    private final ClusterView cluster;

    /** Without meters export, TLS or access log (tests that only need the route table). */
    public HttpApiVerticle(Engine engine, ApiLimits limits, LiveSearchLimits liveLimits, ConnectionLimits connectionLimits,
                    AtomicInteger openConnections, String host, int port) {
        this(engine, limits, liveLimits, connectionLimits, openConnections, host, port,
                new HttpAccess(io.poisk.server.auth.ApiAccess.off(), List.of()), OpsOptions.none());
    }

    /** As the full constructor, as a single node ({@code GET /cluster} shows this node alone). */
    public HttpApiVerticle(Engine engine, ApiLimits limits, LiveSearchLimits liveLimits, ConnectionLimits connectionLimits,
                    AtomicInteger openConnections, String host, int port, HttpAccess access, OpsOptions ops) {
        this(engine, limits, liveLimits, connectionLimits, openConnections, host, port, access, ops, ClusterView.single());
    }

    public HttpApiVerticle(Engine engine, ApiLimits limits, LiveSearchLimits liveLimits, ConnectionLimits connectionLimits,
                    AtomicInteger openConnections, String host, int port, HttpAccess access, OpsOptions ops, ClusterView cluster) {
        this.cluster = cluster;
        this.access = access;
        this.engine = engine;
        this.ops = ops;
        this.limits = limits;
        this.liveLimits = liveLimits;
        this.connectionLimits = connectionLimits;
        this.openConnections = openConnections;
        this.bodyDeadline = new BodyDeadline(connectionLimits.bodyTimeoutMs());
        this.decoder = new RequestDecoder(limits);
        this.requestDeadline = new RequestDeadline(limits.deadlines());
        this.updates = new UpdateDecoder(decoder);
        this.host = host;
        this.port = port;
    }

    @Override
    public Future<?> start() {
        gate = new ConnectionGate(vertx, connectionLimits, openConnections);
        router = router();
        server = vertx.createHttpServer(ops.tls().applyTo(new HttpServerOptions().setHost(host).setPort(port).setCompressionSupported(true)
                        .setMaxWebSocketMessageSize(liveLimits.transportMessageBytes())
                        .setMaxWebSocketFrameSize(liveLimits.transportMessageBytes())
                        // browsers offer "poisk" beside the key as subprotocols; the answer must name one they offered
                        .setWebSocketSubProtocols(List.of(HttpAccess.SUBPROTOCOL))
                        // the longest document id, URL-encoded, fits (DocumentId): 3 x 512 + the rest of the line
                        .setMaxInitialLineLength(MAX_REQUEST_LINE)
                        // No Vert.x idle timeout: it counts the server's own work as idleness (no byte moves while a
                        // streamed ingest embeds or waits out a flush), and it cut bulk loads with no reply. The
                        // ConnectionGate closes a kept-alive connection that sends no request for limits.idle_timeout_ms;
                        // live-search sockets have their own pings.
                        .setIdleTimeout(0)
                        // h2c detection waits for a client's first bytes before it creates the connection: a silent
                        // client would go uncounted by limits.max_connections and untimed by the head timeout
                        .setHttp2ClearTextEnabled(false)))
                .connectionHandler(gate::opened)
                .invalidRequestHandler(InvalidRequests::answer)
                .exceptionHandler(e -> ErrorResponses.connectionFailed(null, e))
                .requestHandler(request -> {
                    gate.headArrived(request);
                    router.handle(request);
                });
        return server.listen();
    }

    /** The port this instance listens on (the real one when configured with 0). */
    public int actualPort() {
        return server.actualPort();
    }

    /** The route table this instance serves, for the test that checks the OpenAPI document against it. */
    Router routes() {
        return router;
    }

    private Router router() {
        Router router = Router.router(vertx);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(limits.maxRequestBytes());
        // First of all, so they see every reply: refusals counted, one access-log line per request.
        router.route().handler(ops.meters()::countRejections);
        if (ops.accessLog()) router.route().handler(AccessLog::handle);
        // Before any route: the raw path is checked (routes match the normalised one) and the connection watched.
        // (watched first: a request the guard refuses still ends, and an HTTP/2 connection must count it ended)
        router.route().handler(gate::watchNextHead).handler(RawPathGuard::check);
        // Then, in front of every route: CORS, the API key, what the route needs, the key's rate limit.
        access.install(router);
        PageSecurity.install(router);

        router.get("/health").handler(ctx -> json(ctx, 200, health()));
        HealthRoutes.install(router, vertx, context, engine);
        // Prometheus text format; 404 (the usual error body) when metrics.enabled=false
        ops.meters().prometheus().ifPresentOrElse(registry -> router.get("/metrics").handler(PrometheusScrapingHandler.create(registry)),
                () -> router.get("/metrics").handler(ctx -> ErrorResponses.send(ctx.response(), ErrorCode.NOT_FOUND,
                        "metrics are off (metrics.enabled=false)")));
        // Every route below but search (the engine's deadline, 504) and NDJSON (timed by its upload) gets the request's
        // deadline, 503 past it; it is added after the access checks and after a buffered body has arrived.
        router.get("/collections").handler(requestDeadline::start).handler(ctx -> {
            var visible = HttpAccess.searchable(ctx); // a collection-scoped key sees only its collections
            reply(ctx, engine.listCollections().thenApply(all -> all.stream().filter(c -> visible.test(c.name())).toList()),
                    ResponseEncoder::collections);
        });
        buffered(router.put("/collections/:name"), this::requireJsonOrEmpty, body).handler(requestDeadline::start).handler(this::createCollection);
        router.get("/collections/:name").handler(requestDeadline::start).handler(ctx ->
                reply(ctx, engine.describeCollection(name(ctx)), ResponseEncoder::collection));
        router.delete("/collections/:name").handler(requestDeadline::start).handler(ctx -> {
            String name = name(ctx);
            reply(ctx, engine.deleteCollection(name), deleted -> {
                if (!deleted) throw PoiskException.collectionNotFound(name);
                return Map.of("deleted", true);
            });
        });
        // NDJSON is streamed by its own route, never buffered; every other type falls through to the JSON route.
        router.post("/collections/:name/documents").consumes(NDJSON).handler(this::ingestNdjson);
        buffered(router.post("/collections/:name/documents"), this::requireIngestType, body).handler(requestDeadline::start)
                .handler(this::ingestJson);
        DocumentExportRoutes export = new DocumentExportRoutes(engine, context);
        router.get("/collections/:name/documents").handler(export::documents);
        router.get("/collections/:name/export").handler(export::export);
        router.get("/collections/:name/documents/:id").handler(requestDeadline::start).handler(ctx -> {
            String id = ctx.pathParam("id");
            reply(ctx, engine.getDocument(name(ctx), id), doc -> ResponseEncoder.document(doc.orElseThrow(() -> documentNotFound(ctx, id))));
        });
        router.delete("/collections/:name/documents/:id").handler(requestDeadline::start).handler(ctx -> {
            String id = ctx.pathParam("id");
            reply(ctx, engine.deleteWithReceipt(name(ctx), id), receipt -> {
                if (receipt.indexed() == 0) throw documentNotFound(ctx, id);
                // a sharded collection's tombstone offset, for a search's "after"
                return receipt.offsets().isEmpty() ? Map.of("deleted", true) : Map.of("deleted", true, "offsets", receipt.wireOffsets());
            });
        });
        // Updates without inference: field patches (one or a batch) and delete by filter.
        buffered(router.patch("/collections/:name/documents/:id"), this::requireJson, body).handler(requestDeadline::start).handler(ctx -> {
            String id = ctx.pathParam("id");
            var patch = updates.patch(id, bodyBytes(ctx));
            reply(ctx, engine.patchDocuments(name(ctx), List.of(patch)), missing -> {
                if (!missing.isEmpty()) throw documentNotFound(ctx, id);
                return Map.of("patched", 1);
            });
        });
        buffered(router.patch("/collections/:name/documents"), this::requireJson, body).handler(requestDeadline::start).handler(ctx -> {
            String name = name(ctx);
            decoded(ctx, updates::patchBatch).onComplete(ar -> {
                if (ar.failed()) ErrorResponses.send(ctx, ar.cause());
                else reply(ctx, engine.patchDocuments(name, ar.result()),
                        missing -> Map.of("patched", ar.result().size() - missing.size(), "not_found", missing));
            });
        });
        buffered(router.put("/collections/:name/fields/:field"), this::requireJson, body).handler(ctx -> {
            String name = name(ctx);
            var type = updates.fieldType(bodyBytes(ctx));
            Future.fromCompletionStage(engine.addField(name, ctx.pathParam("field"), type), context)
                    .compose(added -> Future.fromCompletionStage(engine.describeCollection(name), context)
                            .map(info -> {
                                json(ctx, added ? 201 : 200, ResponseEncoder.collection(info));
                                return null;
                            }))
                    .onFailure(e -> ErrorResponses.send(ctx, e));
        });
        buffered(router.post("/collections/:name/documents/delete"), this::requireJson, body).handler(requestDeadline::start).handler(ctx -> {
            var filter = updates.deleteFilter(bodyBytes(ctx));
            reply(ctx, engine.deleteByFilter(name(ctx), filter), n -> Map.of("deleted", n));
        });
        buffered(router.post("/collections/:name/search"), this::requireJson, body).handler(ctx -> {
            String name = name(ctx);
            String timeout = ctx.request().getHeader(RequestDeadlines.HEADER);
            decoded(ctx, bytes -> decoder.timedSearch(bytes, timeout)).onComplete(ar -> {
                if (ar.failed()) ErrorResponses.send(ctx, ar.cause());
                else reply(ctx, engine.search(name, ar.result().request(), ar.result().timeout(), ar.result().after()),
                        ResponseEncoder::search);
            });
        });

        AliasRoutes aliases = new AliasRoutes(engine, decoder, context);
        router.get("/aliases").handler(aliases::list);
        buffered(router.put("/aliases/:alias"), this::requireJson, body).handler(aliases::put);
        router.get("/aliases/:alias").handler(aliases::get);
        router.delete("/aliases/:alias").handler(aliases::delete);
        new SnapshotRoutes(engine, decoder, vertx, context).mount(router, route -> buffered(route, this::requireJson, body));

        // Live search: WebSocket, its SSE fallback, their counters; the page and the OpenAPI document.
        router.get("/ws/search").handler(ctx -> {
            HttpConnection connection = ctx.request().connection();
            ctx.request().toWebSocket()
                .onSuccess(ws -> new LiveSearchSocket(ws, engine, liveLimits, decoder, context)
                        .restrictTo(HttpAccess.searchable(ctx)).start(gate.upgraded(connection)))
                .onFailure(e -> ErrorResponses.send(ctx.response(), ErrorCode.BAD_REQUEST,
                        "GET /ws/search needs a WebSocket upgrade: " + e.getMessage()));
        });
        router.get("/collections/:name/quarantine").handler(ctx -> reply(ctx, engine.quarantine(name(ctx)), ResponseEncoder::quarantine));
        router.get("/collections/:name/search/stream").handler(ctx -> LiveSearchStream.handle(ctx, engine, decoder, context));
        new KeyRoutes(access.access(), vertx).mount(router);
        router.get("/stats").handler(ctx -> json(ctx, 200, engine.stats()));
        ClusterRoutes.install(router, cluster);
        router.get("/openapi.yaml").handler(ctx -> ctx.response().putHeader("content-type", "application/yaml; charset=utf-8")
                .sendFile(OPENAPI_RESOURCE));
        router.get("/").handler(ctx -> ctx.response().putHeader("content-type", "text/html; charset=utf-8")
                .sendFile(WEBROOT + "/index.html"));
        router.get("/ui/*").handler(StaticHandler.create(WEBROOT).setCachingEnabled(false).setIndexPage("index.html"));

        router.route().failureHandler(ErrorResponses::sendStatus);
        for (int status : List.of(400, 404, 405, 413, 415, 500)) router.errorHandler(status, ErrorResponses::sendStatus);
        return router;
    }

    /** Up while the server serves; collections that failed to open are named, since the others still serve. */
    private Map<String, Object> health() {
        List<String> unavailable = engine.unavailableCollections();
        return unavailable.isEmpty() ? Map.of("status", "up") : Map.of("status", "up", "unavailable_collections", unavailable);
    }

    /**
     * A route with a buffered body: its type is checked and its upload timed before the body is read (a refused
     * type costs no upload), the handlers added after it run once the whole body is in. Vert.x Web orders a
     * route's handlers by kind (platform, then body, then user), hence the two platform handlers.
     */
    private Route buffered(Route route, PlatformHandler typeCheck, BodyHandler body) {
        PlatformHandler deadline = bodyDeadline::start;
        return route.handler(typeCheck).handler(deadline).handler(body).handler(bodyDeadline::arrived);
    }

    private void createCollection(RoutingContext ctx) {
        String name = name(ctx);
        decoded(ctx, bytes -> CollectionRequest.parse(bytes, decoder))
                .compose(request -> Future.fromCompletionStage(request.createIn(engine, name), context))
                .compose(created -> Future.fromCompletionStage(engine.describeCollection(name), context)
                        .map(info -> {
                            json(ctx, created ? 201 : 200, ResponseEncoder.collection(info));
                            return null;
                        }))
                .onFailure(e -> ErrorResponses.send(ctx, e));
    }

    private void ingestNdjson(RoutingContext ctx) {
        String name = name(ctx);
        rejectDeclaredOversize(ctx.request());
        new NdjsonIngest(ctx, engine, decoder, connectionLimits.bodyTimeoutMs(), context, name).start();
    }

    private void requireIngestType(RoutingContext ctx) {
        String type = mediaType(ctx.request());
        if (type != null && !JSON.equals(type)) throw unsupported(type, JSON + " or " + NDJSON);
        ctx.next();
    }

    private void ingestJson(RoutingContext ctx) {
        String name = name(ctx);
        decoded(ctx, decoder::documentBatch).onComplete(ar -> {
            if (ar.failed()) ErrorResponses.send(ctx, ar.cause());
            else reply(ctx, engine.indexWithReceipt(name, ar.result()), HttpApiVerticle::ingestReply);
        });
    }

    /** {@code {"indexed": n}}, with {@code "offsets"} (shard → highest offset written) for a sharded collection. */
    static Map<String, Object> ingestReply(io.poisk.engine.IndexReceipt receipt) {
        if (receipt.offsets().isEmpty()) return Map.of("indexed", receipt.indexed());
        return Map.of("indexed", receipt.indexed(), "offsets", receipt.wireOffsets());
    }

    /**
     * The request body decoded: a small one right here, a large one (up to max_request_bytes of JSON) on a
     * worker thread, so that parsing megabytes never holds the event loop and every connection on it.
     */
    private <T> Future<T> decoded(RoutingContext ctx, Function<byte[], T> decode) {
        byte[] bytes = bodyBytes(ctx);
        if (bytes.length <= INLINE_DECODE_BYTES) {
            try {
                return Future.succeededFuture(decode.apply(bytes));
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        }
        return vertx.executeBlocking(() -> decode.apply(bytes), false);
    }

    private void requireJson(RoutingContext ctx) {
        String type = mediaType(ctx.request());
        if (type != null && !JSON.equals(type)) throw unsupported(type, JSON);
        ctx.next();
    }

    /**
     * PUT /collections/{name} takes an optional body; a request without one may name any type. Checked before the
     * body is read, as a multipart or form body would be parsed into form attributes and look empty.
     */
    private void requireJsonOrEmpty(RoutingContext ctx) {
        String type = mediaType(ctx.request());
        if (type != null && !JSON.equals(type) && declaresBody(ctx.request())) throw unsupported(type, JSON);
        ctx.next();
    }

    private static boolean declaresBody(HttpServerRequest request) {
        String length = request.getHeader("content-length");
        return request.getHeader("transfer-encoding") != null || (length != null && !length.trim().equals("0"));
    }

    private void rejectDeclaredOversize(HttpServerRequest request) {
        String length = request.getHeader("content-length");
        if (length == null) return;
        try {
            if (Long.parseLong(length.trim()) > limits.maxRequestBytes()) {
                throw new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE, "request body of " + length.trim()
                        + " bytes is larger than max_request_bytes=" + limits.maxRequestBytes());
            }
        } catch (NumberFormatException e) {
            throw PoiskException.badRequest("invalid Content-Length '" + length + "'");
        }
    }

    private static PoiskException unsupported(String type, String accepted) {
        return new PoiskException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type '" + type + "' is not accepted here; send " + accepted);
    }

    static String mediaType(HttpServerRequest request) {
        String header = request.getHeader("content-type");
        if (header == null || header.isBlank()) return null;
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    static String name(RoutingContext ctx) {
        return CollectionName.validate(ctx.pathParam("name"));
    }

    private static PoiskException documentNotFound(RoutingContext ctx, String id) {
        return new PoiskException(ErrorCode.DOCUMENT_NOT_FOUND, "document '" + id + "' does not exist in collection '"
                + ctx.pathParam("name") + "'");
    }

    static byte[] bodyBytes(RoutingContext ctx) {
        Buffer b = ctx.body() == null ? null : ctx.body().buffer();
        return b == null ? new byte[0] : b.getBytes();
    }

    /** Completes the response from an engine future, back on this verticle's event loop. */
    private <T> void reply(RoutingContext ctx, CompletableFuture<T> result, Function<T, Object> toJson) {
        Future.fromCompletionStage(result, context).onComplete(ar -> {
            if (ar.failed()) {
                ErrorResponses.send(ctx, ar.cause());
                return;
            }
            Object json;
            try {
                json = toJson.apply(ar.result());
            } catch (RuntimeException e) {
                ErrorResponses.send(ctx, e);
                return;
            }
            json(ctx, 200, json);
        });
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        // the request's deadline may have answered 503 already (RequestDeadline), or the client gone: the work is done, nobody to tell
        if (ctx.response().ended() || ctx.response().closed()) return;
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
                .end(ResponseEncoder.toBuffer(body));
    }
}
