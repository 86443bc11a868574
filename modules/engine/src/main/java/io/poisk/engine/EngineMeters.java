package io.poisk.engine;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.poisk.index.CollectionIndex;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The engine's own meters (Prometheus names once exported): search latency by mode and outcome, index
 * search latency, and documents and segments per collection. The model meters live with the batchers
 * (see {@code InferenceMeters}); the server adds the transport's. The registry is the caller's: the server
 * passes its Prometheus registry, tests may pass a {@code SimpleMeterRegistry}.
 */
final class EngineMeters {
    private final MeterRegistry registry;
    private final MultiGauge documents;
    private final MultiGauge diskSegments;
    private final MultiGauge liveDocuments;

    EngineMeters(MeterRegistry registry, Supplier<Number> unavailable) {
        this.registry = registry;
        this.documents = MultiGauge.builder("poisk.collection.documents").description("documents (not deleted) per collection")
                .register(registry);
        this.diskSegments = MultiGauge.builder("poisk.collection.segments").description("on-disk segments per collection")
                .register(registry);
        this.liveDocuments = MultiGauge.builder("poisk.collection.live.documents")
                .description("documents in the live in-memory segment, not yet flushed").register(registry);
        Gauge.builder("poisk.collections.unavailable", unavailable)
                .description("collections that failed to open (damaged files) while the others serve").register(registry);
    }

    MeterRegistry registry() {
        return registry;
    }

    /** Re-registers the per-collection rows; called at open and after a create or a delete. */
    void collections(List<CollectionIndex> open) {
        documents.register(open.stream().map(c -> MultiGauge.Row.of(tags(c), c, CollectionIndex::documentCount)).toList(), true);
        diskSegments.register(open.stream().map(c -> MultiGauge.Row.of(tags(c), c, CollectionIndex::segmentCount)).toList(), true);
        liveDocuments.register(open.stream().map(c -> MultiGauge.Row.of(tags(c), c, CollectionIndex::liveSegmentDocuments)).toList(), true);
    }

    /** Whole-request search latency ({@code poisk_search_seconds}), from plan to reply, reranking included. */
    void search(SearchRequest request, long startedNanos, Throwable failure) {
        Timer.builder("poisk.search").description("search latency, plan to page (rerank included)")
                .tags(Tags.of("mode", request.mode().name().toLowerCase(), "outcome", failure == null ? "ok" : "error"))
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    /** First-stage retrieval over every segment of the collection ({@code poisk_index_search_seconds}). */
    void indexSearch(SearchRequest request, long startedNanos) {
        Timer.builder("poisk.index.search").description("first-stage retrieval over all segments of a collection")
                .tags("mode", request.mode().name().toLowerCase())
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * One slice of an ingest made durable and applied ({@code poisk_index_write_seconds}): the write-ahead log
     * append, its fsync (shared by concurrent writers: group commit) and the insert into the live segment.
     */
    void durableWrite(long startedNanos) {
        Timer.builder("poisk.index.write").description("durable write of one ingest slice: log append, fsync, live-segment insert")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }

    private static Tags tags(CollectionIndex c) {
        return Tags.of("collection", c.schema().name());
    }
}
