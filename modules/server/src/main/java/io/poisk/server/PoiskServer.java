package io.poisk.server;

import io.poisk.server.http.ConnectionLimits;
import io.poisk.core.PoiskConfig;
import io.poisk.engine.Engine;
import io.poisk.engine.LiveSearchStats;
import io.poisk.engine.PoiskEngine;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.ApiKeyStore;
import io.poisk.server.auth.ApiAccess;
import io.poisk.server.auth.HttpAccess;
import io.poisk.server.bus.EventBusApiVerticle;
import io.poisk.server.http.HttpApiVerticle;
import io.poisk.server.http.OpsOptions;
import io.poisk.server.metrics.MeterRegistries;
import io.poisk.server.metrics.ServerMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.poisk.server.live.LiveSearchLimits;
import io.poisk.server.wire.ApiLimits;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running Poisk: the engine plus the HTTP API deployed on every event loop. {@link #start}
 * returns once the server is listening, so it can be called from {@code main} or a test.
 */
public final class PoiskServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PoiskServer.class);
    private static final long STARTUP_TIMEOUT_S = 120;

    private final Vertx vertx;
    private final Engine engine;
    private final int port;
    private final ApiAccess access;
    private final ServerMeters meters;
    private volatile boolean closed;

    private PoiskServer(Vertx vertx, Engine engine, int port, ApiAccess access, ServerMeters meters) {
        this.access = access;
        this.vertx = vertx;
        this.meters = meters;
        this.engine = engine;
        this.port = port;
    }

    public static PoiskServer start(PoiskConfig config) {
        return start(config, ServerRuntime.LOCAL);
    }

    /** As {@link #start(PoiskConfig)}, with the Vert.x and the inference of {@code runtime} (cluster mode). */
    public static PoiskServer start(PoiskConfig config, ServerRuntime runtime) {
        ApiAccess access = ApiAccess.from(config, ApiKeyStore.open(config.path("data_dir")));
        refuseOpenBind(config, access);
        MeterRegistry registry = MeterRegistries.create(config);
        OpsOptions ops = OpsOptions.from(config, new ServerMeters(registry)); // a bad TLS setting fails before anything opens
        int eventLoops = config.integer("http.event_loops") > 0 ? config.integer("http.event_loops") : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
        Vertx vertx = runtime.vertx(config, new VertxOptions().setEventLoopPoolSize(eventLoops), registry);
        Engine engine;
        try {
            PoiskEngine local = PoiskEngine.open(config, registry, runtime.inference(vertx, config, registry));
            try {
                engine = runtime.engine(local, vertx, config);
                if (access.store() != null) runtime.shareKeys(access.store(), config);
            } catch (RuntimeException e) {
                local.close();
                throw e;
            }
        } catch (RuntimeException e) {
            try {
                await(vertx.close());
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        try {
            ApiLimits limits = ApiLimits.from(config);
            LiveSearchLimits liveLimits = LiveSearchLimits.from(config);
            ConnectionLimits connectionLimits = ConnectionLimits.from(config);
            AtomicInteger openConnections = new AtomicInteger();
            String host = config.string("host");
            // All instances in one deployment, so that with port 0 they share the one free port Vert.x picks.
            List<HttpApiVerticle> instances = new CopyOnWriteArrayList<>();
            int configuredPort = config.integer("port");
            ClusterView cluster = runtime.cluster(vertx, config);
            await(vertx.deployVerticle(() -> {
                HttpApiVerticle v = new HttpApiVerticle(engine, limits, liveLimits, connectionLimits, openConnections, host,
                        configuredPort, new HttpAccess(access, corsOrigins(config)), ops, cluster);
                instances.add(v);
                return v;
            }, new DeploymentOptions().setInstances(eventLoops)));
            int port = instances.getFirst().actualPort();
            await(cluster.serving(host, port)); // in cluster mode: this node's descriptor, cluster-wide
            await(vertx.deployVerticle(() -> new EventBusApiVerticle(engine, limits, access), new DeploymentOptions().setInstances(eventLoops)));
            LOG.info("Poisk listening on {}://{}:{} ({} event loops, data_dir {})", ops.tls().enabled() ? "https" : "http", host, port, eventLoops,
                    config.path("data_dir").toAbsolutePath());
            if (access.enabled()) {
                LOG.info("auth is on: {}{} stored key(s); requests need 'Authorization: Bearer <key>'",
                        config.string("auth.admin_key").isBlank() ? "" : "the configured admin key and ", access.store().list().size());
            } else {
                LOG.warn("auth is off: no admin key (auth.admin_key / POISK_AUTH_ADMIN_KEY) and no stored key; anyone who"
                        + " reaches {}:{} may read, write and delete everything", host, port);
            }
            engine.warmUp().exceptionally(e -> {
                LOG.warn("warming up models failed; they load on first use", e);
                return null;
            });
            return new PoiskServer(vertx, engine, port, access, ops.meters());
        } catch (RuntimeException e) {
            closeQuietly(vertx, engine);
            throw e;
        }
    }

    /**
     * Without any key Poisk may serve only on a loopback interface: anyone who reaches a public port could delete
     * every collection. {@code auth.insecure=true} (serve {@code --insecure}) is the operator saying otherwise.
     */
    static void refuseOpenBind(PoiskConfig config, ApiAccess access) {
        String host = config.string("host");
        if (access.hasAdminKey() || Boolean.parseBoolean(config.string("auth.insecure")) || isLoopback(host)) return;
        throw new PoiskException(ErrorCode.BAD_REQUEST, "refusing to serve on " + host + " without an admin key: anyone who"
                + " reaches it could delete every collection. Set auth.admin_key (environment POISK_AUTH_ADMIN_KEY), bind"
                + " 127.0.0.1 (host), or pass --insecure (auth.insecure=true) to serve it open anyway");
    }

    private static boolean isLoopback(String host) {
        try {
            for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) if (!a.isLoopbackAddress()) return false;
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static List<String> corsOrigins(PoiskConfig config) {
        return java.util.Arrays.stream(config.string("http.cors_origins").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    /** The per-process key for event-bus messages sent from this process, in their {@code authorization} header. */
    public String internalKey() {
        return "Bearer " + access.internalKey();
    }

    public int port() {
        return port;
    }

    /** The Vert.x instance, so other verticles (services) can be deployed beside Poisk and use its event bus. */
    public Vertx vertx() {
        return vertx;
    }

    /** Counters of live (WebSocket / SSE) searches, also served by {@code GET /stats}. */
    public LiveSearchStats liveStats() {
        return engine.liveStats();
    }

    /** The server's meters: also the hook authentication calls on a refused key ({@link ServerMeters#authFailure}). */
    public ServerMeters meters() {
        return meters;
    }

    public Engine engine() {
        return engine;
    }

    /** Stops taking requests (undeploys the API), then closes the engine and its collections cleanly. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        closeQuietly(vertx, engine);
        LOG.info("Poisk on port {} stopped", port);
    }

    private static void closeQuietly(Vertx vertx, Engine engine) {
        try {
            await(vertx.close());
        } catch (RuntimeException e) {
            LOG.warn("stopping the HTTP server failed", e);
        }
        engine.close();
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(STARTUP_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the HTTP server", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) throw r;
            throw new IllegalStateException("HTTP server failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("HTTP server did not respond within " + STARTUP_TIMEOUT_S + " s", e);
        }
    }
}
