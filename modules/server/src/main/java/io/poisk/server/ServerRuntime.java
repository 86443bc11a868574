package io.poisk.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.poisk.core.PoiskConfig;
import io.poisk.engine.Engine;
import io.poisk.engine.Inference;
import io.poisk.engine.PoiskEngine;
import io.poisk.engine.LocalInference;
import io.poisk.server.metrics.MeterRegistries;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * How a server gets its Vert.x and its inference. {@link #LOCAL} is the single node: a local Vert.x and inference in
 * this process. Cluster mode (the app wires the cluster module in) passes a clustered Vert.x and, with
 * {@code inference.mode=remote}, inference on remote workers over that Vert.x's event bus.
 */
public interface ServerRuntime {

    ServerRuntime LOCAL = new ServerRuntime() {
        @Override
        public Vertx vertx(PoiskConfig config, VertxOptions options, MeterRegistry registry) {
            return MeterRegistries.vertx(options, registry);
        }

        @Override
        public Inference inference(Vertx vertx, PoiskConfig config, MeterRegistry registry) {
            return new LocalInference(config, registry);
        }
    };

    /** The server's Vert.x, built from {@code options} and reporting into {@code registry} ({@link MeterRegistries#builder}). */
    Vertx vertx(PoiskConfig config, VertxOptions options, MeterRegistry registry);

    /** Where the engine's embedding and reranking run. */
    Inference inference(Vertx vertx, PoiskConfig config, MeterRegistry registry);

    /**
     * The engine every transport of this server uses, given the node's own {@code local} one: {@code local} itself,
     * unless cluster mode decorates it (sharded collections go to the cluster, everything else to {@code local}).
     */
    default Engine engine(PoiskEngine local, Vertx vertx, PoiskConfig config) {
        return local;
    }

    /**
     * Called once after {@link #engine} with the node's API keys: cluster mode makes them cluster-wide (a key made on
     * one node works on every node); a single node keeps them to itself.
     */
    default void shareKeys(io.poisk.engine.ApiKeyStore keys, PoiskConfig config) {
    }

    /** What {@code GET /cluster} shows and how this node is made known to the others; a single node by default. */
    default ClusterView cluster(Vertx vertx, PoiskConfig config) {
        return ClusterView.single();
    }
}
