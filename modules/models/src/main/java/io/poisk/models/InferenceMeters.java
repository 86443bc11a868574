package io.poisk.models;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Duration;

/**
 * The meters of one model's inference (embedding or reranking), tagged with the model id. Names follow
 * Prometheus conventions once exported ({@code poisk_embedding_inference_seconds_bucket} ...); timers publish
 * histogram buckets so {@code histogram_quantile} works over any set of servers.
 */
public final class InferenceMeters {
    /** Batch sizes are bounded by max_batch (2 by default, larger on a GPU); powers of two read well on a dashboard. */
    private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    final Timer inference;
    final Timer queueWait;
    final DistributionSummary batchSize;

    private InferenceMeters(MeterRegistry registry, String kind, String model) {
        Tags tags = Tags.of("model", model);
        this.inference = Timer.builder("poisk." + kind + ".inference").description("time of one " + kind + " forward pass (a whole batch)")
                .tags(tags).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        this.queueWait = Timer.builder("poisk." + kind + ".queue.wait").description("time a text waited in the " + kind + " queue before its batch ran")
                .tags(tags).publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        this.batchSize = DistributionSummary.builder("poisk." + kind + ".batch.size").description("texts (or pairs) in one " + kind + " batch")
                .tags(tags).serviceLevelObjectives(BATCH_SIZE_BUCKETS).register(registry);
    }

    /** Meters of an embedding model: {@code poisk_embedding_*{model}}. */
    public static InferenceMeters embedding(MeterRegistry registry, String model) {
        return new InferenceMeters(registry, "embedding", model);
    }

    /** Meters of a reranker: {@code poisk_rerank_*{model}}. */
    public static InferenceMeters rerank(MeterRegistry registry, String model) {
        return new InferenceMeters(registry, "rerank", model);
    }

    /** For callers (tests, tools) that do not export meters: records into a registry nobody reads. */
    static MeterRegistry unexported() {
        return new CompositeMeterRegistry();
    }
}
