package io.poisk.server.auth;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.ApiKeyStore.ApiKey;
import io.poisk.engine.ApiKeyStore.Scope;
import io.poisk.server.wire.ErrorResponses;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.auth.User;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.AuthorizationHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Access control of the HTTP routes, installed in front of all of them: CORS from {@code http.cors_origins}, then
 * the key (vertx-web's {@link SimpleAuthenticationHandler}), then what the route needs ({@link AuthorizationHandler}
 * with the permissions of {@link ApiAccess}), then the key's rate limit. Paths are denied by default: a route that
 * is not listed in {@link #ruleFor} needs an admin key, so a route added later is never open by accident.
 * <p>
 * Keys come as {@code Authorization: Bearer <key>}; the WebSocket and SSE routes, which browsers open without
 * headers, also take {@code ?key=<key>}, and the WebSocket a {@code Sec-WebSocket-Protocol} entry that is the key
 * (offered beside {@value #SUBPROTOCOL}, the protocol the server answers with).
 */
public final class HttpAccess {
    public static final String SUBPROTOCOL = "poisk";
    private static final String KEY = "poisk.key";
    private static final String REASON = "poisk.access.reason";
    private static final String RULE = "poisk.access.rule";
    private static final Set<HttpMethod> CORS_METHODS = Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
            HttpMethod.DELETE, HttpMethod.PATCH);

    private final ApiAccess access;
    private final List<String> corsOrigins;

    public HttpAccess(ApiAccess access, List<String> corsOrigins) {
        this.access = access;
        this.corsOrigins = List.copyOf(corsOrigins);
    }

    public ApiAccess access() {
        return access;
    }

    /** What a route needs: a permission on the collection in the path, any valid key, or an admin key. */
    enum Need { PUBLIC, ANY_KEY, SEARCH, WRITE, ADMIN }

    record Rule(Need need, String collection) {
    }

    /** The route table of access, by path (and method where it matters). Unlisted paths need an admin key. */
    static Rule ruleFor(HttpMethod method, String path) {
        if (path.equals("/") || path.equals("/health") || path.startsWith("/health/") || path.startsWith("/ui/")
                || path.equals("/ui") || path.equals("/openapi.yaml")) {
            return new Rule(Need.PUBLIC, null);
        }
        if (path.equals("/ws/search")) return new Rule(Need.ANY_KEY, null); // each message names its collection
        String[] parts = path.replaceAll("^/+|/+$", "").split("/+");
        if (parts[0].equals("collections")) {
            if (parts.length == 1) return new Rule(method == HttpMethod.GET ? Need.ANY_KEY : Need.ADMIN, null); // list: filtered
            String name = URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
            if (parts.length == 2) return new Rule(method == HttpMethod.GET ? Need.SEARCH : Need.ADMIN, name);
            return switch (parts[2]) {
                case "search" -> new Rule(Need.SEARCH, name);
                case "documents", "export", "quarantine" -> new Rule(Need.WRITE, name);
                default -> new Rule(Need.ADMIN, name);
            };
        }
        return new Rule(Need.ADMIN, null);
    }

    /** Installs the checks in front of every route added after this call; call it before adding routes. */
    public void install(Router router) {
        router.route().failureHandler(this::refused);
        if (!corsOrigins.isEmpty()) {
            CorsHandler cors = CorsHandler.create().addOrigins(corsOrigins).allowedMethods(CORS_METHODS)
                    .allowedHeaders(Set.of("authorization", "content-type", "x-request-id"))
                    .exposedHeaders(Set.of("retry-after", "x-request-id", "www-authenticate")).maxAgeSeconds(600);
            // A page of this server calling it is same-origin: not a CORS request, whatever the allow-list says.
            router.route().handler(ctx -> {
                if (sameOrigin(ctx.request())) ctx.next();
                else cors.handle(ctx);
            });
        }
        SimpleAuthenticationHandler authentication = SimpleAuthenticationHandler.create().authenticate(this::authenticate);
        AuthorizationHandler admin = AuthorizationHandler.create(ApiAccess.admin());
        AuthorizationHandler search = withCollection(AuthorizationHandler.create(ApiAccess.onCollection(Scope.SEARCH)));
        AuthorizationHandler write = withCollection(AuthorizationHandler.create(ApiAccess.onCollection(Scope.WRITE)));
        router.route().handler(ctx -> {
            Rule rule = ruleFor(ctx.request().method(), ctx.normalizedPath());
            ctx.put(RULE, rule);
            if (rule.need() == Need.PUBLIC) {
                ctx.next();
            } else if (!checkWebSocketOrigin(ctx)) {
                refuse(ctx, "a page at origin '" + origin(ctx.request()) + "' may not open " + ctx.normalizedPath()
                        + ": it is not this server's origin nor listed in http.cors_origins");
            } else if (!access.enabled()) {
                ctx.next();
            } else {
                authentication.handle(ctx);
            }
        });
        router.route().handler(ctx -> {
            Rule rule = ctx.get(RULE);
            ApiKey key = ctx.get(KEY);
            if (key == null) {
                ctx.next(); // public route, or auth off
                return;
            }
            if (!ApiAccess.originAllowed(key, origin(ctx.request()))) {
                refuse(ctx, "key " + key.id() + " may be used only by pages at " + key.origins() + ", not at '"
                        + origin(ctx.request()) + "'");
                return;
            }
            long wait = access.retryAfterMs(key);
            if (wait > 0) {
                ctx.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, (wait + 999) / 1000)));
                ErrorResponses.send(ctx, ApiAccess.rateLimited(key, wait));
                return;
            }
            Scope scope = rule.need() == Need.SEARCH ? Scope.SEARCH : Scope.WRITE;
            ctx.put(REASON, ApiAccess.forbidden(key, scope, rule.need() == Need.ADMIN ? null : rule.collection()).getMessage());
            switch (rule.need()) {
                case SEARCH -> search.handle(ctx);
                case WRITE -> write.handle(ctx);
                case ADMIN -> admin.handle(ctx);
                default -> ctx.next();
            }
        });
    }

    private static AuthorizationHandler withCollection(AuthorizationHandler handler) {
        return handler.variableConsumer((ctx, authorization) -> {
            Rule rule = ctx.get(RULE);
            authorization.variables().set(ApiAccess.COLLECTION, rule.collection());
        });
    }

    private Future<User> authenticate(RoutingContext ctx) {
        String secret = presentedKey(ctx);
        if (secret == null) {
            ctx.put(REASON, "this request needs an API key: send 'Authorization: Bearer <key>'"
                    + (takesQueryKey(ctx) ? " or '?key=<key>'" : ""));
            return Future.failedFuture(new HttpException(401));
        }
        return access.resolve(secret).map(key -> {
            ctx.put(KEY, key);
            return Future.succeededFuture(ApiAccess.user(key));
        }).orElseGet(() -> {
            ctx.put(REASON, "the API key is unknown or revoked");
            return Future.failedFuture(new HttpException(401));
        });
    }

    /** Bearer header first; {@code ?key=} and the WebSocket subprotocol only where browsers cannot send headers. */
    private static String presentedKey(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) return header.substring(7).trim();
        if (!takesQueryKey(ctx)) return null;
        String query = request.getParam("key");
        if (query != null) return query;
        String protocols = request.getHeader("sec-websocket-protocol");
        if (protocols != null) {
            for (String p : protocols.split(",")) {
                if (p.trim().startsWith(io.poisk.engine.ApiKeyStore.PREFIX)) return p.trim();
            }
        }
        return null;
    }

    private static boolean takesQueryKey(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        return ctx.request().method() == HttpMethod.GET && (path.equals("/ws/search") || path.endsWith("/search/stream"));
    }

    /** A browser opening the WebSocket from another site's page: only this server's pages and the allow-list may. */
    private boolean checkWebSocketOrigin(RoutingContext ctx) {
        if (!ctx.normalizedPath().equals("/ws/search")) return true;
        String origin = origin(ctx.request());
        return origin == null || sameOrigin(ctx.request()) || corsOrigins.contains(origin)
                || (ctx.request().getHeader(HttpHeaders.AUTHORIZATION) == null && keyOrigins(ctx).contains(origin));
    }

    /** The origins of the key the request presents (so a search key made for a page also admits that page). */
    private List<String> keyOrigins(RoutingContext ctx) {
        String secret = presentedKey(ctx);
        return secret == null ? List.of() : access.resolve(secret).map(ApiKey::origins).orElse(List.of());
    }

    private static String origin(HttpServerRequest request) {
        return request.getHeader(HttpHeaders.ORIGIN);
    }

    private static boolean sameOrigin(HttpServerRequest request) {
        String origin = request.getHeader(HttpHeaders.ORIGIN);
        String host = request.getHeader(HttpHeaders.HOST);
        if (origin == null) return true;
        if (host == null) return false;
        return origin.equalsIgnoreCase("http://" + host) || origin.equalsIgnoreCase("https://" + host);
    }

    private static void refuse(RoutingContext ctx, String reason) {
        ctx.put(REASON, reason);
        ctx.fail(403);
    }

    /** 401 and 403 from any of the checks, in the usual error body; 401 says how to authenticate. */
    private void refused(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status != 401 && status != 403) {
            ctx.next();
            return;
        }
        String reason = ctx.get(REASON);
        Throwable failure = ctx.failure();
        if (status == 403 && reason == null && failure != null && String.valueOf(failure.getMessage()).contains("CORS")) {
            reason = "origin '" + origin(ctx.request()) + "' is not in http.cors_origins";
        }
        if (status == 401) ctx.response().putHeader("www-authenticate", "Bearer realm=\"poisk\"");
        ErrorResponses.send(ctx, new PoiskException(status == 401 ? ErrorCode.UNAUTHORIZED : ErrorCode.FORBIDDEN,
                reason != null ? reason : status == 401 ? "this request needs an API key" : "this key may not do this"));
    }

    /** The key of a request, or null when auth is off or the route is public. */
    public static ApiKey keyOf(RoutingContext ctx) {
        return ctx.get(KEY);
    }

    /** Which collections the request's key may search (all when auth is off); for listings and live search. */
    public static Predicate<String> searchable(RoutingContext ctx) {
        ApiKey key = keyOf(ctx);
        return key == null ? name -> true : name -> ApiAccess.permits(key, Scope.SEARCH, name);
    }
}
