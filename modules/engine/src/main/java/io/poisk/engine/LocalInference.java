package io.poisk.engine;

import io.micrometer.core.instrument.MeterRegistry;
import io.poisk.core.PoiskConfig;
import io.poisk.models.BatcherStats;
import io.poisk.models.EmbedderCard;
import io.poisk.models.EmbeddingBatcher;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.InferenceDevice;
import io.poisk.models.InferenceThreads;
import io.poisk.models.ModelRegistry;
import io.poisk.models.PassageSplitter;
import io.poisk.models.RerankExecutor;
import io.poisk.models.RerankResult;
import io.poisk.models.RerankerCard;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Inference in this process, as it has always run: one {@link EmbeddingBatcher} per model (dynamic batches across
 * requests, a bounded queue) and one {@link RerankExecutor} per reranker. The runtimes hand the callers' lists and
 * the batcher's futures straight through: no copy, no event-bus hop. Remote inference workers run this same class.
 */
public final class LocalInference implements Inference {
    private final PoiskConfig config;
    private final MeterRegistry registry;

    public LocalInference(PoiskConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    /**
     * The models under {@code models_dir}, loaded on {@code inference.device}; each forward call gets its kind's share
     * of the cores, split among {@code embedding.workers} and {@code rerank.workers} (their calls run at once).
     */
    public static ModelRegistry models(PoiskConfig config) {
        return new ModelRegistry(config.path("models_dir"), InferenceDevice.parse(config.string("inference.device")),
                InferenceThreads.split(config.integer("embedding.workers"), config.integer("rerank.workers")));
    }

    @Override
    public EmbeddingRuntime embedding(ModelRegistry models, String modelId) {
        return new Embedding(new EmbeddingBatcher(models.embedder(modelId), config.integer("embedding.max_batch"),
                config.longValue("embedding.max_wait_ms"), config.integer("embedding.queue_capacity"),
                config.integer("embedding.workers"), registry));
    }

    @Override
    public RerankRuntime rerank(ModelRegistry models, String modelId) {
        // rerank.queue_capacity counts documents; the executor queues whole requests of about default_top_n documents.
        int queuedRequests = Math.max(1, config.integer("rerank.queue_capacity") / Math.max(1, config.integer("rerank.default_top_n")));
        return new Rerank(new RerankExecutor(models.reranker(modelId), config.integer("rerank.max_batch"),
                config.integer("rerank.workers"), queuedRequests, registry));
    }

    @Override
    public Map<String, Object> stats() {
        return Map.of("mode", "local");
    }

    private record Embedding(EmbeddingBatcher batcher) implements EmbeddingRuntime {
        @Override
        public EmbedderCard card() {
            return batcher.card();
        }

        @Override
        public PassageSplitter splitter() {
            return batcher.splitter();
        }

        @Override
        public CompletableFuture<float[][]> submit(List<String> texts, EmbeddingRole role, String instruction) {
            return batcher.submit(texts, role, instruction);
        }

        @Override
        public BatcherStats stats() {
            return batcher.stats();
        }

        @Override
        public void close() {
            batcher.close();
        }
    }

    private record Rerank(RerankExecutor executor) implements RerankRuntime {
        @Override
        public RerankerCard card() {
            return executor.card();
        }

        @Override
        public CompletableFuture<RerankResult> rerank(String query, String instruction, List<String> documents, Duration budget) {
            return executor.rerank(query, instruction, documents, budget);
        }

        @Override
        public void close() {
            executor.close();
        }
    }
}
