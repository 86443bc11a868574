package io.poisk.cluster;

import io.poisk.core.PoiskConfig;
import io.poisk.engine.EmbeddingRuntime;
import io.poisk.engine.LocalInference;
import io.poisk.engine.RerankRuntime;
import io.poisk.models.EmbedderCard;
import io.poisk.models.ModelCard;
import io.poisk.models.ModelRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code poisk worker} node: it only serves inference. It loads the models of {@code inference.models} (the
 * default model when empty) on {@code inference.device} with the same batcher and rerank executor a single node
 * uses ({@link LocalInference}), joins the cluster, and deploys the {@link InferenceWorkerVerticle}. No data
 * directory, no HTTP port.
 */
public final class InferenceWorkerNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceWorkerNode.class);
    private static final long START_TIMEOUT_S = 120;

    private final ModelRegistry models;
    private final Map<String, EmbeddingRuntime> embedders;
    private final Map<String, RerankRuntime> rerankers;
    private final Vertx vertx;

    private InferenceWorkerNode(ModelRegistry models, Map<String, EmbeddingRuntime> embedders, Map<String, RerankRuntime> rerankers, Vertx vertx) {
        this.models = models;
        this.embedders = embedders;
        this.rerankers = rerankers;
        this.vertx = vertx;
    }

    /** Loads the models, joins the cluster and starts serving; returns once the consumers are registered cluster-wide. */
    public static InferenceWorkerNode start(PoiskConfig config) {
        ModelRegistry models = LocalInference.models(config);
        LocalInference local = new LocalInference(config, new SimpleMeterRegistry());
        Map<String, EmbeddingRuntime> embedders = new LinkedHashMap<>();
        Map<String, RerankRuntime> rerankers = new LinkedHashMap<>();
        Vertx vertx = null;
        try {
            for (String id : served(config)) {
                ModelCard card = models.card(id); // an unknown id fails the start, naming the available ones
                long t0 = System.nanoTime();
                if (card instanceof EmbedderCard) embedders.put(id, local.embedding(models, id));
                else rerankers.put(id, local.rerank(models, id));
                LOG.info("model {} ready in {} ms", id, (System.nanoTime() - t0) / 1_000_000);
            }
            ClusterBus bus = await(ClusterBus.join(Vertx.builder().with(ClusterBus.options(config, new VertxOptions())), config));
            vertx = bus.vertx();
            await(vertx.deployVerticle(() -> new InferenceWorkerVerticle(embedders, rerankers),
                    new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
            // GET /cluster on any serving node lists this worker and its models
            JsonArray servedIds = new JsonArray();
            embedders.keySet().forEach(servedIds::add);
            rerankers.keySet().forEach(servedIds::add);
            await(new NodeDirectory(bus).publish(new JsonObject().put("role", "worker").put("models", servedIds)
                    .put("device", config.string("inference.device"))));
            LOG.info("inference worker joined the cluster at {}:{} (members {}), device {}", config.string("cluster.host"),
                    config.integer("cluster.port"), config.string("cluster.members"), config.string("inference.device"));
            return new InferenceWorkerNode(models, embedders, rerankers, vertx);
        } catch (RuntimeException e) {
            new InferenceWorkerNode(models, embedders, rerankers, vertx).close();
            throw e;
        }
    }

    /** The model ids this worker serves: {@code inference.models}, or the default model. */
    static List<String> served(PoiskConfig config) {
        List<String> ids = Arrays.stream(config.string("inference.models").split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .distinct().toList();
        return ids.isEmpty() ? List.of(config.string("default_model")) : ids;
    }

    /** Leaves the cluster first (no batch is routed here any more), then stops the runtimes and the models. */
    @Override
    public void close() {
        if (vertx != null) {
            try {
                await(vertx.close());
            } catch (RuntimeException e) {
                LOG.warn("leaving the cluster failed", e);
            }
        }
        embedders.values().forEach(EmbeddingRuntime::close);
        rerankers.values().forEach(RerankRuntime::close);
        models.close();
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the inference worker", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException("inference worker failed to start: " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("inference worker did not start within " + START_TIMEOUT_S + " s", e);
        }
    }
}
