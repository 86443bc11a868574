package io.poisk.server;

import io.poisk.server.http.ConnectionLimits;
import io.poisk.core.PoiskConfig;
import io.poisk.engine.Engine;
import io.poisk.engine.LiveSearchStats;
import io.poisk.engine.PoiskEngine;
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
    private final ServerMeters meters;
    private volatile boolean closed;

    private PoiskServer(Vertx vertx, Engine engine, int port, ServerMeters meters) {
        this.vertx = vertx;
        this.meters = meters;
        this.engine = engine;
        this.port = port;
    }

    public static PoiskServer start(PoiskConfig config) {
        MeterRegistry registry = MeterRegistries.create(config);
        OpsOptions ops = OpsOptions.from(config, new ServerMeters(registry)); // a bad TLS setting fails before anything opens
        Engine engine = PoiskEngine.open(config, registry);
        int eventLoops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
        Vertx vertx = MeterRegistries.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops), registry);
        try {
            ApiLimits limits = ApiLimits.from(config);
            LiveSearchLimits liveLimits = LiveSearchLimits.from(config);
            ConnectionLimits connectionLimits = ConnectionLimits.from(config);
            AtomicInteger openConnections = new AtomicInteger();
            String host = config.string("host");
            // All instances in one deployment, so that with port 0 they share the one free port Vert.x picks.
            List<HttpApiVerticle> instances = new CopyOnWriteArrayList<>();
            int configuredPort = config.integer("port");
            await(vertx.deployVerticle(() -> {
                HttpApiVerticle v = new HttpApiVerticle(engine, limits, liveLimits, connectionLimits, openConnections, host, configuredPort, ops);
                instances.add(v);
                return v;
            }, new DeploymentOptions().setInstances(eventLoops)));
            int port = instances.getFirst().actualPort();
            await(vertx.deployVerticle(() -> new EventBusApiVerticle(engine, limits), new DeploymentOptions().setInstances(eventLoops)));
            LOG.info("Poisk listening on {}://{}:{} ({} event loops, data_dir {})", ops.tls().enabled() ? "https" : "http", host, port, eventLoops,
                    config.path("data_dir").toAbsolutePath());
            engine.warmUp().exceptionally(e -> {
                LOG.warn("warming up models failed; they load on first use", e);
                return null;
            });
            return new PoiskServer(vertx, engine, port, ops.meters());
        } catch (RuntimeException e) {
            closeQuietly(vertx, engine);
            throw e;
        }
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
