package io.poisk.server.auth;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.ApiKeyStore;
import io.poisk.server.wire.ErrorResponses;
import io.poisk.server.wire.ResponseEncoder;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code POST /keys}, {@code GET /keys}, {@code DELETE /keys/{id}} (admin only, see {@link HttpAccess#ruleFor}).
 * The key file is written on a worker thread, never on the event loop; the secret is in the creation reply only.
 */
public final class KeyRoutes {
    private static final Set<String> FIELDS = Set.of("scope", "collections", "origins", "rate_limit");
    private static final int MAX_BODY = 64 * 1024;

    private final ApiAccess access;
    private final Vertx vertx;

    public KeyRoutes(ApiAccess access, Vertx vertx) {
        this.access = access;
        this.vertx = vertx;
    }

    public void mount(Router router) {
        router.post("/keys").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY)).handler(this::create);
        router.get("/keys").handler(ctx -> answer(ctx, 200, () -> Map.of("keys",
                store().list().stream().map(ApiKeyStore.ApiKey::describe).toList())));
        router.delete("/keys/:id").handler(ctx -> {
            String id = ctx.pathParam("id");
            answer(ctx, 200, () -> {
                if (!store().revoke(id)) throw new PoiskException(ErrorCode.KEY_NOT_FOUND, "no key with id '" + id + "'; GET /keys lists them");
                access.forget(id);
                return Map.of("deleted", true);
            });
        });
    }

    private void create(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().length() == 0 ? null : ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            throw new PoiskException(ErrorCode.INVALID_JSON, "POST /keys needs a JSON object: " + e.getMessage());
        }
        if (body == null) throw PoiskException.badRequest("POST /keys needs a body such as {\"scope\":\"search\",\"collections\":[\"docs\"]}");
        for (String field : body.fieldNames()) {
            if (!FIELDS.contains(field)) throw PoiskException.badRequest("unknown field '" + field + "'; accepted: " + FIELDS);
        }
        if (!(body.getValue("scope") instanceof String scopeName)) {
            throw PoiskException.badRequest("'scope' is required: one of search, write, admin");
        }
        ApiKeyStore.Scope scope = ApiKeyStore.Scope.parse(scopeName);
        List<String> collections = strings(body, "collections");
        List<String> origins = strings(body, "origins");
        for (String origin : origins) checkOrigin(origin);
        Object rate = body.getValue("rate_limit");
        if (rate != null && !(rate instanceof Number)) throw PoiskException.badRequest("'rate_limit' must be a number of requests per second");
        Double rateLimit = rate == null ? null : ((Number) rate).doubleValue();
        answer(ctx, 201, () -> {
            ApiKeyStore.Created created = store().create(scope, collections, origins, rateLimit);
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("id", created.key().id());
            reply.put("key", created.secret());
            reply.putAll(created.key().describe());
            return reply;
        });
    }

    private ApiKeyStore store() {
        if (access.store() == null) throw new PoiskException(ErrorCode.UNAVAILABLE, "this server keeps no API keys (no data directory)");
        return access.store();
    }

    /** Runs a store call on a worker thread (it writes the key file) and answers on the event loop. */
    private void answer(RoutingContext ctx, int status, Callable<Object> work) {
        vertx.executeBlocking(work, false).onComplete(ar -> {
            if (ar.failed()) {
                ErrorResponses.send(ctx, ar.cause());
                return;
            }
            ctx.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
                    .putHeader("cache-control", "no-store")
                    .end(ResponseEncoder.toBuffer(ar.result()));
        });
    }

    private static List<String> strings(JsonObject body, String field) {
        Object v = body.getValue(field);
        if (v == null) return List.of();
        if (!(v instanceof JsonArray array)) throw PoiskException.badRequest("'" + field + "' must be an array of strings");
        List<String> out = new ArrayList<>();
        for (Object o : array) {
            if (!(o instanceof String s) || s.isBlank()) throw PoiskException.badRequest("'" + field + "' must be an array of non-empty strings");
            out.add(s);
        }
        if (out.size() > 1000) throw PoiskException.badRequest("'" + field + "' may name at most 1000 entries");
        return out;
    }

    /** An origin is what browsers send: scheme://host[:port], nothing after it. */
    private static void checkOrigin(String origin) {
        try {
            URI uri = new URI(origin);
            if (uri.getScheme() != null && uri.getHost() != null && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    && uri.getQuery() == null && uri.getFragment() == null && uri.getUserInfo() == null) {
                return;
            }
        } catch (java.net.URISyntaxException ignored) {
            // refused below
        }
        throw PoiskException.badRequest("origin '" + origin + "' is not an origin; write it as the browser sends it, e.g. https://app.example.com");
    }
}
