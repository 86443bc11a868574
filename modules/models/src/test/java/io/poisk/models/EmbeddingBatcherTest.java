package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The batcher in front of the real default model. */
@Tag("model")
class EmbeddingBatcherTest {
    private static ModelRegistry registry;
    private static Embedder embedder;

    @BeforeAll
    static void load() {
        registry = new ModelRegistry(Path.of(System.getProperty("poisk.models.dir")));
        embedder = registry.embedder("e5-small-v2");
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private static float[] direct(String text, EmbeddingRole role) {
        return embedder.embed(List.of(text), role, null)[0];
    }

    @Test
    void concurrentRequestsShareBatchesAndGetTheirOwnVectors() throws Exception {
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(embedder, 32, 300, 1000, 1)) {
            int requests = 8;
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<CompletableFuture<float[][]>>> submitted = new ArrayList<>();
            for (int r = 0; r < requests; r++) {
                List<String> texts = List.of("request " + r + " first text about rivers", "request " + r + " second, much longer text about mountains and lakes");
                submitted.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return batcher.submit(texts, EmbeddingRole.PASSAGE, null);
                }));
            }
            start.countDown();
            for (int r = 0; r < requests; r++) {
                float[][] vectors = submitted.get(r).get(10, TimeUnit.SECONDS).get(60, TimeUnit.SECONDS);
                assertThat(vectors).hasNumberOfRows(2);
                assertThat(ConformanceReference.cosine(vectors[0], direct("request " + r + " first text about rivers", EmbeddingRole.PASSAGE)))
                        .isGreaterThan(0.9999);
                assertThat(ConformanceReference.cosine(vectors[1], direct("request " + r + " second, much longer text about mountains and lakes", EmbeddingRole.PASSAGE)))
                        .isGreaterThan(0.9999);
            }
            BatcherStats stats = batcher.stats();
            assertThat(stats.texts()).isEqualTo(16);
            assertThat(stats.batches()).isLessThan(8); // one batch per request would be 8
            assertThat(stats.largestBatch()).isGreaterThan(2);
            assertThat(stats.queued()).isZero();
        }
    }

    @Test
    void rolesAndInstructionsNeverShareABatch() throws Exception {
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(embedder, 32, 200, 1000, 1)) {
            CompletableFuture<float[][]> query = batcher.submit(List.of("capital of France"), EmbeddingRole.QUERY, null);
            CompletableFuture<float[][]> passage = batcher.submit(List.of("capital of France"), EmbeddingRole.PASSAGE, null);
            CompletableFuture<float[][]> instructed = batcher.submit(List.of("capital of France"), EmbeddingRole.QUERY, "in French");
            assertThat(ConformanceReference.cosine(query.get(60, TimeUnit.SECONDS)[0], direct("capital of France", EmbeddingRole.QUERY))).isGreaterThan(0.9999);
            assertThat(ConformanceReference.cosine(passage.get(60, TimeUnit.SECONDS)[0], direct("capital of France", EmbeddingRole.PASSAGE))).isGreaterThan(0.9999);
            assertThat(instructed.get(60, TimeUnit.SECONDS)).hasNumberOfRows(1);
            assertThat(batcher.stats().batches()).isEqualTo(3);
            assertThat(batcher.stats().largestBatch()).isEqualTo(1);
        }
    }

    @Test
    void aFullQueueRejectsAtOnceWithOverloaded() throws Exception {
        // a long wait keeps the first request queued while the second arrives
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(embedder, 100, 1500, 4, 1)) {
            CompletableFuture<float[][]> first = batcher.submit(List.of("a", "b", "c"), EmbeddingRole.QUERY, null);
            long before = System.nanoTime();
            CompletableFuture<float[][]> second = batcher.submit(List.of("d", "e"), EmbeddingRole.QUERY, null);
            assertThat(System.nanoTime() - before).isLessThan(TimeUnit.MILLISECONDS.toNanos(100));
            assertThat(second).isCompletedExceptionally();
            assertThatThrownBy(second::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED));
            assertThat(batcher.stats().rejected()).isEqualTo(1);
            assertThat(batcher.stats().queued()).isEqualTo(3);
            assertThat(first.get(60, TimeUnit.SECONDS)).hasNumberOfRows(3);
            // room again once drained
            assertThat(batcher.submit(List.of("d", "e"), EmbeddingRole.QUERY, null).get(60, TimeUnit.SECONDS)).hasNumberOfRows(2);
        }
    }

    @Test
    void runsOnNamedDaemonThreadsAndHonoursMaxBatch() throws Exception {
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(embedder, 4, 50, 1000, 2)) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 10; i++) texts.add("text " + i);
            String thread = batcher.submit(texts, EmbeddingRole.PASSAGE, null)
                    .thenApply(v -> Thread.currentThread().getName()).get(60, TimeUnit.SECONDS);
            assertThat(thread).startsWith("poisk-inference-");
            assertThat(batcher.stats().largestBatch()).isEqualTo(4);
            // each take is at most half the queue (two workers): 10 -> 4 (max batch), 6 -> 3, 3 -> 2, 1 -> 1
            assertThat(batcher.stats().batches()).isEqualTo(4);
            assertThat(batcher.stats().texts()).isEqualTo(10);
        }
    }

    @Test
    void oneLargeRequestIsSharedEvenlyAmongTheWorkers() throws Exception {
        try (EmbeddingBatcher batcher = new EmbeddingBatcher(embedder, 16, 2, 1000, 2)) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 47; i++) texts.add("passage " + i + " about the rivers of Siberia");
            float[][] vectors = batcher.submit(texts, EmbeddingRole.PASSAGE, null).get(120, TimeUnit.SECONDS);
            assertThat(vectors).hasNumberOfRows(47);
            assertThat(ConformanceReference.cosine(vectors[46], direct(texts.get(46), EmbeddingRole.PASSAGE))).isGreaterThan(0.9999);
            // 47 -> 16, 31 -> 16, 15 -> 8, 7 -> 4, 3 -> 2, 1 -> 1: no worker is left with a last third alone
            assertThat(batcher.stats().batches()).isEqualTo(6);
            assertThat(batcher.stats().largestBatch()).isEqualTo(16);
        }
    }

    @Test
    void emptyRequestsCompleteAndClosedBatchersRefuse() throws Exception {
        EmbeddingBatcher batcher = new EmbeddingBatcher(embedder, 8, 5, 10, 1);
        assertThat(batcher.submit(List.of(), EmbeddingRole.QUERY, null).get()).isEmpty();
        assertThatThrownBy(() -> batcher.submit(java.util.Arrays.asList("x", null), EmbeddingRole.QUERY, null).get())
                .cause().isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        assertThat(batcher.stats().queued()).isZero();
        batcher.close();
        assertThatThrownBy(() -> batcher.submit(List.of("x"), EmbeddingRole.QUERY, null).get())
                .cause().isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }
}
