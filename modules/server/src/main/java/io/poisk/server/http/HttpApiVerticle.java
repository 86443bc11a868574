package io.poisk.server.http;

import io.poisk.core.CollectionName;
import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.Engine;
import io.poisk.engine.SearchRequest;
import io.poisk.server.live.LiveSearchLimits;
import io.poisk.server.live.LiveSearchSocket;
import io.poisk.server.live.LiveSearchStream;
import io.poisk.server.wire.ApiLimits;
import io.poisk.server.wire.CollectionRequest;
import io.poisk.server.wire.ErrorResponses;
import io.poisk.server.wire.RequestDecoder;
import io.poisk.server.wire.ResponseEncoder;
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

    private final Engine engine;
    private final ApiLimits limits;
    private final LiveSearchLimits liveLimits;
    private final ConnectionLimits connectionLimits;
    /** Open connections of all instances together, for {@code limits.max_connections}. */
    private final AtomicInteger openConnections;
    private final RequestDecoder decoder;
    private final BodyDeadline bodyDeadline;
    private ConnectionGate gate;
    private final String host;
    private final int port;
    private HttpServer server;
    private Router router;

    public HttpApiVerticle(Engine engine, ApiLimits limits, LiveSearchLimits liveLimits, ConnectionLimits connectionLimits,
                    AtomicInteger openConnections, String host, int port) {
        this.engine = engine;
        this.limits = limits;
        this.liveLimits = liveLimits;
        this.connectionLimits = connectionLimits;
        this.openConnections = openConnections;
        this.bodyDeadline = new BodyDeadline(connectionLimits.bodyTimeoutMs());
        this.decoder = new RequestDecoder(limits);
        this.host = host;
        this.port = port;
    }

    @Override
    public Future<?> start() {
        gate = new ConnectionGate(vertx, connectionLimits, openConnections);
        router = router();
        server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setCompressionSupported(true)
                        .setMaxWebSocketMessageSize(liveLimits.transportMessageBytes())
                        .setMaxWebSocketFrameSize(liveLimits.transportMessageBytes())
                        // the longest document id, URL-encoded, fits (DocumentId): 3 x 512 + the rest of the line
                        .setMaxInitialLineLength(MAX_REQUEST_LINE)
                        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, connectionLimits.idleTimeoutMs()))
                        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                        // h2c detection waits for a client's first bytes before it creates the connection: a silent
                        // client would go uncounted by limits.max_connections and untimed by the head timeout
                        .setHttp2ClearTextEnabled(false))
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
        // Before any route: the raw path is checked (routes match the normalised one) and the connection watched.
        router.route().handler(RawPathGuard::check).handler(gate::watchNextHead);

        router.get("/health").handler(ctx -> json(ctx, 200, health()));
        router.get("/collections").handler(ctx -> reply(ctx, engine.listCollections(), ResponseEncoder::collections));
        buffered(router.put("/collections/:name"), this::requireJsonOrEmpty, body).handler(this::createCollection);
        router.get("/collections/:name").handler(ctx ->
                reply(ctx, engine.describeCollection(name(ctx)), ResponseEncoder::collection));
        router.delete("/collections/:name").handler(ctx -> {
            String name = name(ctx);
            reply(ctx, engine.deleteCollection(name), deleted -> {
                if (!deleted) throw PoiskException.collectionNotFound(name);
                return Map.of("deleted", true);
            });
        });
        // NDJSON is streamed by its own route, never buffered; every other type falls through to the JSON route.
        router.post("/collections/:name/documents").consumes(NDJSON).handler(this::ingestNdjson);
        buffered(router.post("/collections/:name/documents"), this::requireIngestType, body).handler(this::ingestJson);
        router.get("/collections/:name/documents/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            reply(ctx, engine.getDocument(name(ctx), id), doc -> ResponseEncoder.document(doc.orElseThrow(() -> documentNotFound(ctx, id))));
        });
        router.delete("/collections/:name/documents/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            reply(ctx, engine.deleteDocument(name(ctx), id), deleted -> {
                if (!deleted) throw documentNotFound(ctx, id);
                return Map.of("deleted", true);
            });
        });
        buffered(router.post("/collections/:name/search"), this::requireJson, body).handler(ctx -> {
            String name = name(ctx);
            SearchRequest query = decoder.search(bodyBytes(ctx));
            reply(ctx, engine.search(name, query), ResponseEncoder::search);
        });

        new SnapshotRoutes(engine, decoder, vertx, context).mount(router, route -> buffered(route, this::requireJson, body));

        // Live search: WebSocket, its SSE fallback, their counters; the page and the OpenAPI document.
        router.get("/ws/search").handler(ctx -> {
            HttpConnection connection = ctx.request().connection();
            ctx.request().toWebSocket()
                .onSuccess(ws -> new LiveSearchSocket(ws, engine, liveLimits, decoder, context).start(gate.upgraded(connection)))
                .onFailure(e -> ErrorResponses.send(ctx.response(), ErrorCode.BAD_REQUEST,
                        "GET /ws/search needs a WebSocket upgrade: " + e.getMessage()));
        });
        router.get("/collections/:name/quarantine").handler(ctx -> reply(ctx, engine.quarantine(name(ctx)), ResponseEncoder::quarantine));
        router.get("/collections/:name/search/stream").handler(ctx -> LiveSearchStream.handle(ctx, engine, decoder, context));
        router.get("/stats").handler(ctx -> json(ctx, 200, engine.stats()));
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
        CollectionRequest request = CollectionRequest.parse(bodyBytes(ctx), decoder);
        Future.fromCompletionStage(engine.createCollection(name, request.model(), request.options()), context)
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
        List<Document> docs = decoder.documentBatch(bodyBytes(ctx));
        reply(ctx, engine.index(name(ctx), docs), n -> Map.of("indexed", n));
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

    private static String name(RoutingContext ctx) {
        return CollectionName.validate(ctx.pathParam("name"));
    }

    private static PoiskException documentNotFound(RoutingContext ctx, String id) {
        return new PoiskException(ErrorCode.DOCUMENT_NOT_FOUND, "document '" + id + "' does not exist in collection '"
                + ctx.pathParam("name") + "'");
    }

    private static byte[] bodyBytes(RoutingContext ctx) {
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
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
                .end(ResponseEncoder.toBuffer(body));
    }
}
