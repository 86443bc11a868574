package io.poisk.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.poisk.cluster.ClusterBus;
import io.poisk.cluster.ClusterStatus;
import io.poisk.cluster.NodeDirectory;
import io.poisk.cluster.RemoteInference;
import io.poisk.cluster.ShardedCollections;
import io.poisk.engine.ApiKeyStore;
import io.poisk.engine.Engine;
import io.poisk.engine.PoiskEngine;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import io.poisk.engine.Inference;
import io.poisk.engine.LocalInference;
import io.poisk.server.ClusterView;
import io.poisk.server.ServerRuntime;
import io.poisk.server.metrics.MeterRegistries;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.VertxOptions;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code poisk serve} in cluster mode: the server's Vert.x joins the cluster (cluster module) and, with
 * {@code inference.mode=remote}, the engine sends every embed and rerank to {@code poisk worker} nodes.
 * Without {@code cluster.enabled} the single-node runtime is used unchanged.
 */
final class ClusterServerRuntime implements ServerRuntime {
    private static final long JOIN_TIMEOUT_S = 120;

    /** The runtime {@code config} asks for; a remote inference without a cluster is refused with what to set. */
    static ServerRuntime of(PoiskConfig config) {
        String mode = config.string("inference.mode").trim();
        if (!mode.equals("local") && !mode.equals("remote")) {
            throw PoiskException.badRequest("inference.mode must be local or remote, got '" + mode + "'");
        }
        boolean cluster = Boolean.parseBoolean(config.string("cluster.enabled").trim());
        if (!cluster && mode.equals("remote")) {
            throw PoiskException.badRequest("inference.mode=remote sends inference to poisk worker nodes over the cluster;"
                    + " it needs cluster.enabled=true (serve --cluster --join HOST:PORT)");
        }
        return cluster ? new ClusterServerRuntime(mode.equals("remote")) : ServerRuntime.LOCAL;
    }

    private final boolean remote;
    /** Set by {@link #vertx}, which the server calls before {@link #inference}. */
    private volatile ClusterBus bus;
    /** Set by {@link #inference}, which the server calls before {@link #engine}: the shard engine shares it. */
    private volatile Inference inference;
    /** Set by {@link #engine} when {@code cluster.kafka.bootstrap} is set; {@link #cluster} reports it. */
    private volatile ShardedCollections sharded;

    private ClusterServerRuntime(boolean remote) {
        this.remote = remote;
    }

    @Override
    public Vertx vertx(PoiskConfig config, VertxOptions options, MeterRegistry registry) {
        try {
            bus = ClusterBus.join(MeterRegistries.builder(ClusterBus.options(config, options), registry), config)
                    .toCompletionStage().toCompletableFuture().get(JOIN_TIMEOUT_S, TimeUnit.SECONDS);
            return bus.vertx();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while joining the cluster", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot join the cluster at " + config.string("cluster.host") + ":"
                    + config.string("cluster.port") + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("joining the cluster took more than " + JOIN_TIMEOUT_S + " s", e);
        }
    }

    /** GET /cluster: this node's descriptor published cluster-wide once it serves, the members and the Kafka probe. */
    @Override
    public ClusterView cluster(Vertx vertx, PoiskConfig config) {
        if (bus == null || bus.vertx() != vertx) throw new IllegalStateException("the cluster view needs the Vert.x this runtime joined the cluster with");
        NodeDirectory directory = new NodeDirectory(bus);
        String kafka = config.string("cluster.kafka.bootstrap").trim();
        return new ClusterView() {
            @Override
            public Future<Void> serving(String host, int httpPort) {
                return directory.publish(new JsonObject().put("role", "serving").put("http", host + ":" + httpPort)
                        .put("inference", remote ? "remote" : "local"));
            }

            @Override
            public Future<JsonObject> describe() {
                return ClusterStatus.describe(bus, directory, kafka, sharded);
            }
        };
    }

    @Override
    public Inference inference(Vertx vertx, PoiskConfig config, MeterRegistry registry) {
        if (!remote) return inference = new LocalInference(config, registry);
        if (bus == null || bus.vertx() != vertx) throw new IllegalStateException("remote inference needs the Vert.x this runtime joined the cluster with");
        return inference = new RemoteInference(bus, config);
    }

    /**
     * With {@code cluster.kafka.bootstrap} set, the node serves sharded collections too ({@link ShardedCollections});
     * without it, the node's own engine as is (creating a sharded collection then says what to set).
     */
    @Override
    public Engine engine(PoiskEngine local, Vertx vertx, PoiskConfig config) {
        if (config.string("cluster.kafka.bootstrap").isBlank()) return local;
        if (bus == null || bus.vertx() != vertx || inference == null) {
            throw new IllegalStateException("sharded collections need the Vert.x and inference of this runtime");
        }
        sharded = ShardedCollections.start(bus, local, config, inference);
        return sharded.engine();
    }

    /** With Kafka configured, API keys are cluster-wide: a key made on any node works on all of them. */
    @Override
    public void shareKeys(ApiKeyStore keys, PoiskConfig config) {
        if (sharded != null) sharded.shareKeys(keys);
    }
}
