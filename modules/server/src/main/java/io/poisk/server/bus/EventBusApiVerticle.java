package io.poisk.server.bus;

import io.poisk.core.CollectionName;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.ApiKeyStore.Scope;
import io.poisk.engine.Engine;
import io.poisk.server.auth.ApiAccess;
import io.poisk.server.wire.ApiLimits;
import io.poisk.server.wire.CollectionRequest;
import io.poisk.server.wire.RequestDecoder;
import io.poisk.server.wire.RequestDeadlines;
import io.poisk.server.wire.TimedSearch;
import io.poisk.server.wire.ResponseEncoder;
import io.poisk.server.wire.WireError;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The event-bus API: the HTTP contract as JSON request/reply on three addresses, for services in the
 * same Vert.x instance or, unchanged, on a clustered event bus (bodies are plain {@link JsonObject}s,
 * consumers are not local-only).
 * <ul>
 *   <li>{@value #SEARCH}: {@code {"collection":"…", …the body of POST /collections/{name}/search}} →
 *       {@code {"hits":[…],"took_ms":n}}; past its deadline ({@code "timeout_ms"}, a {@code Request-Timeout} header, or
 *       {@code limits.request_timeout_ms}) a failed reply 504 {@code deadline_exceeded}</li>
 *   <li>{@value #INGEST}: {@code {"collection":"…","documents":[…]}} → {@code {"indexed":n}}</li>
 *   <li>{@value #COLLECTIONS}: {@code {"action":"list"}} → {@code {"collections":[…]}};
 *       {@code {"action":"create","name":"…","model":"…","language":"…","fields":{…}}} and {@code {"action":"describe","name":"…"}} → the
 *       collection; {@code {"action":"delete","name":"…"}} → {@code {"deleted":true}}</li>
 * </ul>
 * Replies carry a {@code status} header with the HTTP status the same request would get. A failed
 * request is a failed reply: failure code = HTTP status, message = {@code {"error":{"code","message"}}}.
 * <p>
 * While auth is on, a message must carry a key in its {@value ApiAccess#HEADER} header ({@code Bearer <key>}), checked
 * like the HTTP route of the same request: search needs a search key for the collection, ingest a write key, the
 * collection actions an admin key (describe: a search key). Services in this process send
 * {@link io.poisk.server.PoiskServer#internalKey()}, a per-process secret that never leaves memory.
 */
public final class EventBusApiVerticle extends VerticleBase {
    public static final String SEARCH = "poisk.search";
    public static final String INGEST = "poisk.ingest";
    public static final String COLLECTIONS = "poisk.collections";
    private static final Logger LOG = LoggerFactory.getLogger(EventBusApiVerticle.class);

    private final Engine engine;
    private final RequestDecoder decoder;
    private final List<MessageConsumer<Object>> consumers = new java.util.ArrayList<>();
    private final ApiAccess access;

    public EventBusApiVerticle(Engine engine, ApiLimits limits) {
        this(engine, limits, ApiAccess.off());
    }

    public EventBusApiVerticle(Engine engine, ApiLimits limits, ApiAccess access) {
        this.access = access;
        this.engine = engine;
        this.decoder = new RequestDecoder(limits);
    }

    @Override
    public Future<?> start() {
        consumers.add(vertx.eventBus().consumer(SEARCH, this::search));
        consumers.add(vertx.eventBus().consumer(INGEST, this::ingest));
        consumers.add(vertx.eventBus().consumer(COLLECTIONS, this::collections));
        return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
    }

    private void search(Message<Object> msg) {
        handle(msg, body -> {
            String name = collectionOf(body, "collection");
            access.checkMessage(msg.headers(), Scope.SEARCH, name);
            JsonObject request = body.copy();
            request.remove("collection");
            // the deadline: "timeout_ms" in the body, else a Request-Timeout message header, else limits.request_timeout_ms
            TimedSearch search = decoder.timedSearch(bytes(request), msg.headers().get(RequestDeadlines.HEADER));
            return reply(engine.search(name, search.request(), search.timeout()), ResponseEncoder::search);
        });
    }

    private void ingest(Message<Object> msg) {
        handle(msg, body -> {
            String name = collectionOf(body, "collection");
            access.checkMessage(msg.headers(), Scope.WRITE, name);
            return reply(engine.index(name, decoder.documentBatch(bytes(body))), n -> Map.of("indexed", n));
        });
    }

    private void collections(Message<Object> msg) {
        handle(msg, body -> {
            String action = body.getValue("action") instanceof String s ? s : null;
            if (action == null) throw PoiskException.badRequest("missing 'action': one of list, create, describe, delete");
            if (action.equals("describe")) access.checkMessage(msg.headers(), Scope.SEARCH, collectionOf(body, "name"));
            else access.checkMessage(msg.headers(), Scope.ADMIN, null);
            return switch (action) {
                case "list" -> reply(engine.listCollections(), ResponseEncoder::collections);
                case "describe" -> reply(engine.describeCollection(collectionOf(body, "name")), ResponseEncoder::collection);
                case "create" -> {
                    String name = collectionOf(body, "name");
                    JsonObject spec = body.copy();
                    spec.remove("action");
                    spec.remove("name");
                    CollectionRequest request = CollectionRequest.parse(bytes(spec), decoder);
                    yield request.createIn(engine, name).thenCompose(created -> engine.describeCollection(name)
                            .thenApply(info -> new Reply(created ? 201 : 200, ResponseEncoder.collection(info))));
                }
                case "delete" -> {
                    String name = collectionOf(body, "name");
                    yield reply(engine.deleteCollection(name), deleted -> {
                        if (!deleted) throw PoiskException.collectionNotFound(name);
                        return Map.of("deleted", true);
                    });
                }
                default -> throw PoiskException.badRequest("unknown action '" + action + "'; one of list, create, describe, delete");
            };
        });
    }

    /** A reply body with the HTTP status the same request would get. */
    private record Reply(int status, Object body) {
    }

    private static <T> CompletableFuture<Reply> reply(CompletableFuture<T> result, Function<T, Object> toJson) {
        return result.thenApply(v -> new Reply(200, toJson.apply(v)));
    }

    /** Decodes the body, runs the request and answers on this verticle's context, success or failure. */
    private void handle(Message<Object> msg, Function<JsonObject, CompletableFuture<Reply>> request) {
        CompletableFuture<Reply> result;
        try {
            result = request.apply(body(msg.body()));
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        Future.fromCompletionStage(result, context).onComplete(ar -> {
            if (ar.succeeded()) {
                msg.reply(new JsonObject(ResponseEncoder.toBuffer(ar.result().body())),
                        new DeliveryOptions().addHeader("status", String.valueOf(ar.result().status())));
                return;
            }
            WireError e = WireError.of(ar.cause());
            if (e.internal()) LOG.error("event-bus request to {} failed", msg.address(), ar.cause());
            msg.fail(e.httpStatus(), ResponseEncoder.toBuffer(e.body()).toString());
        });
    }

    /** Accepts a JsonObject, or a JSON object as a String or Buffer (what non-Java clients of a bridge send). */
    private static JsonObject body(Object body) {
        try {
            return switch (body) {
                case JsonObject json -> json;
                case String s -> new JsonObject(s);
                case Buffer b -> new JsonObject(b);
                case null -> throw new PoiskException(ErrorCode.INVALID_JSON, "message body is empty; expected a JSON object");
                default -> throw new PoiskException(ErrorCode.INVALID_JSON, "message body must be a JSON object, got "
                        + body.getClass().getSimpleName());
            };
        } catch (io.vertx.core.json.DecodeException e) {
            throw new PoiskException(ErrorCode.INVALID_JSON, "message body is not a JSON object: " + e.getMessage());
        }
    }

    /** A body as JSON bytes, for the decoder that checks it as it checks an HTTP body. */
    private static byte[] bytes(JsonObject body) {
        try {
            return body.toBuffer().getBytes();
        } catch (io.vertx.core.json.EncodeException e) {
            // e.g. nested deeper than Jackson writes: the sender's object, not our fault
            throw new PoiskException(ErrorCode.INVALID_JSON, "message body cannot be written as JSON: " + e.getMessage());
        }
    }

    private static String collectionOf(JsonObject body, String field) {
        if (!(body.getValue(field) instanceof String name)) {
            throw new PoiskException(ErrorCode.INVALID_NAME, "missing '" + field + "' (a collection name string)");
        }
        return CollectionName.validate(name);
    }
}
