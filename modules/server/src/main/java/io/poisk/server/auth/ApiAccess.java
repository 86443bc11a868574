package io.poisk.server.auth;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import io.poisk.engine.ApiKeyStore;
import io.poisk.engine.ApiKeyStore.ApiKey;
import io.poisk.engine.ApiKeyStore.Scope;
import io.vertx.core.MultiMap;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authorization.Authorization;
import io.vertx.ext.auth.authorization.AuthorizationContext;
import io.vertx.ext.auth.authorization.OrAuthorization;
import io.vertx.ext.auth.authorization.PermissionBasedAuthorization;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Who may do what, for every transport: resolves a presented key (the configured admin key, a stored key, or the
 * per-process key of in-process event-bus senders) to its {@link ApiKey}, turns it into a vertx-auth {@link User}
 * whose permissions are {@code <scope>} on each collection it names ({@value #ALL} for all; a scope includes the
 * lower ones) plus {@code admin}, and keeps each key's request budget. Auth is on while an admin key is configured
 * or any key is stored; off, every request is let through (the server then binds loopback only).
 */
public final class ApiAccess {
    /** The resource of a permission on every collection. */
    public static final String ALL = "*";
    /** The variable an authorization's resource names the requested collection by. */
    static final String COLLECTION = "collection";
    private static final String CONFIGURED_ADMIN_ID = "configured-admin";
    private static final String INTERNAL_ID = "in-process";

    private final ApiKeyStore store;
    private final byte[] adminKeySha256;
    private final byte[] internalKeySha256;
    private final String internalKey;
    private final double defaultRate;
    private final double defaultBurst;
    private final TokenBuckets buckets = new TokenBuckets();

    private ApiAccess(ApiKeyStore store, String adminKey, double defaultRate, double defaultBurst) {
        this.store = store;
        this.adminKeySha256 = adminKey == null || adminKey.isBlank() ? null : digest(adminKey);
        this.internalKey = ApiKeyStore.PREFIX + "internal_" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(randomBytes());
        this.internalKeySha256 = digest(internalKey);
        this.defaultRate = defaultRate;
        this.defaultBurst = defaultBurst;
    }

    public static ApiAccess from(PoiskConfig config, ApiKeyStore store) {
        double rate = config.longValue("auth.rate_limit_per_second");
        long burst = config.longValue("auth.rate_limit_burst");
        return new ApiAccess(store, config.string("auth.admin_key"), rate, burst == 0 ? rate : burst);
    }

    /** No keys anywhere: every request is let through (tests that build the router alone). */
    public static ApiAccess off() {
        return new ApiAccess(null, null, 0, 0);
    }

    public boolean enabled() {
        return adminKeySha256 != null || (store != null && !store.isEmpty());
    }

    /** True when some key may manage everything: the configured one or a stored admin key. */
    public boolean hasAdminKey() {
        return adminKeySha256 != null || (store != null && store.list().stream().anyMatch(k -> k.scope() == Scope.ADMIN));
    }

    /** The store of {@code /keys}; null when this server has none (no data directory). */
    public ApiKeyStore store() {
        return store;
    }

    /** A secret that proves a message was sent inside this process; it lives only in memory. */
    public String internalKey() {
        return internalKey;
    }

    /** The key a presented secret belongs to, if any. */
    public Optional<ApiKey> resolve(String secret) {
        if (secret == null || secret.isEmpty()) return Optional.empty();
        byte[] presented = digest(secret);
        if (adminKeySha256 != null && MessageDigest.isEqual(presented, adminKeySha256)) {
            return Optional.of(new ApiKey(CONFIGURED_ADMIN_ID, "", Scope.ADMIN, List.of(), List.of(), null, "configuration"));
        }
        if (MessageDigest.isEqual(presented, internalKeySha256)) {
            return Optional.of(new ApiKey(INTERNAL_ID, "", Scope.ADMIN, List.of(), List.of(), null, "start-up"));
        }
        return store == null ? Optional.empty() : store.find(secret);
    }

    /** The vertx-auth user of a key: its permissions are what {@link #onCollection} and {@link #admin} check. */
    public static User user(ApiKey key) {
        User user = User.fromName(key.id());
        List<String> resources = key.coversAllCollections() ? List.of(ALL) : key.collections();
        for (Scope scope : Scope.values()) {
            if (!key.scope().includes(scope) || scope == Scope.ADMIN) continue;
            user.authorizations().put(scope.wire(), resources.stream()
                    .map(c -> (Authorization) PermissionBasedAuthorization.create(scope.wire()).setResource(c))
                    .collect(java.util.stream.Collectors.toSet()));
        }
        if (key.scope() == Scope.ADMIN) user.authorizations().put(Scope.ADMIN.wire(), PermissionBasedAuthorization.create(Scope.ADMIN.wire()));
        return user;
    }

    /** What a request on one collection needs: {@code scope} on that collection, or on all of them. */
    public static Authorization onCollection(Scope scope) {
        return OrAuthorization.create()
                .addAuthorization(PermissionBasedAuthorization.create(scope.wire()).setResource("{" + COLLECTION + "}"))
                .addAuthorization(PermissionBasedAuthorization.create(scope.wire()).setResource(ALL));
    }

    /** What keys, server statistics and creating or deleting collections need. */
    public static Authorization admin() {
        return PermissionBasedAuthorization.create(Scope.ADMIN.wire());
    }

    /** The same check as the HTTP routes, for transports that learn the collection from a message. */
    public static boolean permits(ApiKey key, Scope scope, String collection) {
        Authorization needed = collection == null ? admin() : onCollection(scope);
        AuthorizationContext context = AuthorizationContext.create(user(key));
        if (collection != null) context.variables().set(COLLECTION, collection);
        return needed.match(context);
    }

    /** Whether a page at {@code origin} may use the key (keys without origins: any page). */
    public static boolean originAllowed(ApiKey key, String origin) {
        return origin == null || key.origins().isEmpty() || key.origins().contains(origin);
    }

    /** Takes one request from the key's budget; 0 when allowed, else milliseconds to wait (for Retry-After). */
    public long retryAfterMs(ApiKey key) {
        double rate = key.rateLimit() != null ? key.rateLimit() : defaultRate;
        if (rate <= 0) return 0;
        double burst = key.rateLimit() != null ? Math.max(1, key.rateLimit()) : Math.max(1, defaultBurst);
        long waitNanos = buckets.take(key.id(), rate, burst, System.nanoTime());
        return waitNanos == 0 ? 0 : Math.max(1, waitNanos / 1_000_000);
    }

    /**
     * The check of the event-bus API: the key in the {@value #HEADER} header ({@code Bearer <key>} or the bare key)
     * must allow {@code scope} on {@code collection} (null: an admin action). Throws the error the sender gets.
     */
    public void checkMessage(MultiMap headers, Scope scope, String collection) {
        if (!enabled()) return;
        String value = headers == null ? null : headers.get(HEADER);
        String secret = value == null ? null : value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).trim() : value.trim();
        ApiKey key = resolve(secret).orElseThrow(() -> new PoiskException(ErrorCode.UNAUTHORIZED, secret == null
                ? "this message carries no API key: put 'Bearer <key>' in its '" + HEADER + "' header"
                : "the API key in the '" + HEADER + "' header is unknown or revoked"));
        if (!permits(key, scope, collection)) throw forbidden(key, scope, collection);
        long wait = retryAfterMs(key);
        if (wait > 0) throw rateLimited(key, wait);
    }

    /** The event-bus header that carries the key. */
    public static final String HEADER = "authorization";

    static PoiskException forbidden(ApiKey key, Scope scope, String collection) {
        return new PoiskException(ErrorCode.FORBIDDEN, "this " + key.scope().wire() + " key"
                + (key.coversAllCollections() ? "" : " for collections " + key.collections())
                + " may not do this: it needs " + (collection == null ? "an admin key"
                : "a " + scope.wire() + " (or higher) key for collection '" + collection + "'"));
    }

    static PoiskException rateLimited(ApiKey key, long waitMs) {
        return new PoiskException(ErrorCode.RATE_LIMITED, "key " + key.id() + " is over its rate limit; retry in "
                + waitMs + " ms");
    }

    void forget(String keyId) {
        buckets.forget(keyId);
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
