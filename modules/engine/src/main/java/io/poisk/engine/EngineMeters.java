package io.poisk.engine;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.poisk.index.CollectionIndex;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private final Map<String, CountedCollection> counted = new HashMap<>();

    private record CountedCollection(CollectionIndex index, List<Meter> meters) {
    }

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

    /** Re-registers the per-collection rows and counters; called at open and after a create or a delete. */
    synchronized void collections(List<CollectionIndex> open) {
        // counters follow their collection object: a dropped (or dropped and re-created) one loses its old series
        Map<String, CollectionIndex> now = new HashMap<>();
        for (CollectionIndex c : open) now.put(c.schema().name(), c);
        for (var it = counted.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (now.get(e.getKey()) != e.getValue().index()) {
                e.getValue().meters().forEach(registry::remove);
                it.remove();
            }
        }
        for (CollectionIndex c : open) {
            counted.computeIfAbsent(c.schema().name(), name -> new CountedCollection(c, List.of(
                    FunctionCounter.builder("poisk.collection.flushes", c, CollectionIndex::flushesCompleted).tags(tags(c))
                            .description("live-segment flushes to disk since the collection opened").register(registry),
                    FunctionCounter.builder("poisk.collection.merges", c, CollectionIndex::mergesCompleted).tags(tags(c))
                            .description("merges of on-disk segments since the collection opened").register(registry))));
        }
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

    /** One segment's dense search ({@code poisk_segment_search_seconds{kind=live|disk|disk_pq}}). */
    void segmentSearch(String kind, long nanos) {
        Timer.builder("poisk.segment.search").description("dense (graph) search of one segment, by segment kind")
                .tag("kind", kind).publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry).record(nanos, TimeUnit.NANOSECONDS);
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
