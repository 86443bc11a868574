package io.poisk.engine;

import io.poisk.models.EmbeddingRole;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cache's sharing and cancellation rules, step by step: the inferences here are futures the test
 * completes or cancels itself, so every interleaving the engine can meet is reached on purpose.
 */
class QueryEmbeddingCacheTest {
    private static final QueryEmbeddingCache.Key KEY = new QueryEmbeddingCache.Key("m", EmbeddingRole.QUERY, null, "где живёт квокка");

    /** Hands out a new pending inference per call and keeps them, as the batcher would queue texts. */
    private static final class Inferences implements Supplier<CompletableFuture<float[]>> {
        final List<CompletableFuture<float[]>> started = new ArrayList<>();

        @Override
        public CompletableFuture<float[]> get() {
            CompletableFuture<float[]> f = new CompletableFuture<>();
            started.add(f);
            return f;
        }
    }

    @Test
    void identicalMissesShareOneInferenceAndTheVectorIsKept() {
        QueryEmbeddingCache cache = new QueryEmbeddingCache(100);
        Inferences inferences = new Inferences();
        CompletableFuture<float[]> a = cache.vector(KEY, inferences);
        CompletableFuture<float[]> b = cache.vector(KEY, inferences);
        assertThat(inferences.started).hasSize(1);
        assertThat(a).isNotSameAs(b).isNotDone();

        float[] vector = {0.6f, 0.8f};
        inferences.started.getFirst().complete(vector);
        assertThat(a.join()).isSameAs(vector);
        assertThat(b.join()).isSameAs(vector);
        assertThat(cache.vector(KEY, inferences).join()).isSameAs(vector);
        assertThat(inferences.started).hasSize(1);
        assertThat(cache.stats()).containsEntry("hits", 2L).containsEntry("misses", 1L).containsEntry("size", 1L);
    }

    @Test
    void instructionModelAndTextAreEachPartOfTheKeyAndABlankInstructionIsNone() {
        QueryEmbeddingCache cache = new QueryEmbeddingCache(100);
        Inferences inferences = new Inferences();
        cache.vector(KEY, inferences);
        cache.vector(new QueryEmbeddingCache.Key("m", EmbeddingRole.QUERY, "  ", KEY.text()), inferences);
        assertThat(inferences.started).as("blank instruction = none").hasSize(1);
        cache.vector(new QueryEmbeddingCache.Key("m", EmbeddingRole.QUERY, "only recent news", KEY.text()), inferences);
        cache.vector(new QueryEmbeddingCache.Key("other-model", EmbeddingRole.QUERY, null, KEY.text()), inferences);
        cache.vector(new QueryEmbeddingCache.Key("m", EmbeddingRole.QUERY, null, KEY.text() + "?"), inferences);
        assertThat(inferences.started).hasSize(4);
    }

    @Test
    void aCallerThatCancelsLeavesTheSharedInferenceToTheOthers() {
        QueryEmbeddingCache cache = new QueryEmbeddingCache(100);
        Inferences inferences = new Inferences();
        CompletableFuture<float[]> superseded = cache.vector(KEY, inferences);
        CompletableFuture<float[]> waiting = cache.vector(KEY, inferences);

        assertThat(superseded.cancel(false)).isTrue();
        CompletableFuture<float[]> inference = inferences.started.getFirst();
        assertThat(inference.isCancelled()).as("another caller still waits on it").isFalse();

        float[] vector = {1f, 0f};
        inference.complete(vector);
        assertThat(waiting.join()).isSameAs(vector);
        assertThat(cache.vector(KEY, inferences).join()).isSameAs(vector);
        assertThat(inferences.started).hasSize(1);
    }

    @Test
    void whenEveryCallerCancelsTheInferenceIsCancelledAndForgotten() {
        QueryEmbeddingCache cache = new QueryEmbeddingCache(100);
        Inferences inferences = new Inferences();
        CompletableFuture<float[]> first = cache.vector(KEY, inferences);
        CompletableFuture<float[]> second = cache.vector(KEY, inferences);
        first.cancel(false);
        second.cancel(false);
        assertThat(inferences.started.getFirst().isCancelled()).as("nobody waits: the queued text is dropped").isTrue();

        CompletableFuture<float[]> again = cache.vector(KEY, inferences);
        assertThat(inferences.started).as("a cancelled inference is not served").hasSize(2);
        float[] vector = {0f, 1f};
        inferences.started.get(1).complete(vector);
        assertThat(again.join()).isSameAs(vector);
        assertThat(cache.stats()).containsEntry("size", 1L);
    }

    @Test
    void aFailedInferenceFailsItsCallersAndIsNotKept() {
        QueryEmbeddingCache cache = new QueryEmbeddingCache(100);
        Inferences inferences = new Inferences();
        CompletableFuture<float[]> a = cache.vector(KEY, inferences);
        CompletableFuture<float[]> b = cache.vector(KEY, inferences);
        inferences.started.getFirst().completeExceptionally(new IllegalStateException("queue full"));
        assertThatThrownBy(a::join).isInstanceOf(CompletionException.class).hasRootCauseMessage("queue full");
        assertThatThrownBy(b::join).isInstanceOf(CompletionException.class).hasRootCauseMessage("queue full");
        assertThat(cache.stats()).containsEntry("size", 0L);

        CompletableFuture<float[]> retry = cache.vector(KEY, inferences);
        assertThat(inferences.started).hasSize(2);
        inferences.started.get(1).complete(new float[]{1f});
        assertThat(retry.join()).containsExactly(1f);
    }

    @Test
    void anInferenceThatFailsAtOnceIsNotKeptEither() {
        QueryEmbeddingCache cache = new QueryEmbeddingCache(100);
        int[] calls = {0};
        Supplier<CompletableFuture<float[]>> overloaded = () -> {
            calls[0]++;
            return CompletableFuture.failedFuture(new IllegalStateException("overloaded"));
        };
        assertThat(cache.vector(KEY, overloaded)).isCompletedExceptionally();
        assertThat(cache.vector(KEY, overloaded)).isCompletedExceptionally();
        assertThat(calls[0]).isEqualTo(2);
    }

    @Test
    void sizeZeroInfersEveryTimeAndCancellationReachesTheInference() {
        QueryEmbeddingCache cache = new QueryEmbeddingCache(0);
        Inferences inferences = new Inferences();
        CompletableFuture<float[]> a = cache.vector(KEY, inferences);
        cache.vector(KEY, inferences);
        assertThat(inferences.started).hasSize(2);
        a.cancel(false);
        assertThat(inferences.started.getFirst().isCancelled()).isTrue();
        assertThatThrownBy(a::join).isInstanceOf(CancellationException.class);
        assertThat(cache.stats()).containsExactly(java.util.Map.entry("enabled", false));
    }

    @Test
    void theCacheIsBounded() {
        QueryEmbeddingCache cache = new QueryEmbeddingCache(50);
        for (int i = 0; i < 1000; i++) {
            cache.vector(new QueryEmbeddingCache.Key("m", EmbeddingRole.QUERY, null, "q" + i),
                    () -> CompletableFuture.completedFuture(new float[]{1f}));
        }
        cache.cleanUp();
        assertThat((Long) cache.stats().get("size")).isLessThanOrEqualTo(50L);
        assertThat((Long) cache.stats().get("evictions")).isGreaterThanOrEqualTo(950L);
    }
}
