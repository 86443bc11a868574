package io.poisk.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.poisk.models.EmbeddingRole;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Query vectors by (model, role, instruction, exact text), bounded by Caffeine's W-TinyLFU eviction:
 * search traffic repeats queries, and a repeat then costs no inference. The cache holds one shared
 * inference per key; identical misses that arrive while it runs wait on that one inference.
 *
 * <p>Every caller gets its own future: cancelling it (a superseded live keystroke) never cancels the
 * inference another caller waits on; only when every caller of a still-running inference has cancelled
 * is the inference itself cancelled (so its text leaves the batcher's queue, as without the cache). A
 * failed or cancelled inference is removed, so the next caller infers again. Documents never come here.
 */
final class QueryEmbeddingCache {
    /** What a query vector depends on; a blank instruction is none, as the batcher treats it. */
    record Key(String model, EmbeddingRole role, String instruction, String text) {
        Key {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(text, "text");
            instruction = instruction == null || instruction.isBlank() ? null : instruction;
        }
    }

    private final Cache<Key, SharedInference> cache;

    /** A cache of at most {@code maximumSize} vectors; 0 turns caching off (every call infers). */
    QueryEmbeddingCache(long maximumSize) {
        if (maximumSize < 0) throw new IllegalArgumentException("embedding.query_cache_size must be >= 0, got " + maximumSize);
        this.cache = maximumSize == 0 ? null : Caffeine.newBuilder().maximumSize(maximumSize).recordStats().build();
    }

    boolean enabled() {
        return cache != null;
    }

    /**
     * The vector of {@code key}: the cached one, the one being inferred, or a new inference started with
     * {@code infer} (which returns the batcher's own future, so cancelling it drops the queued text).
     * The returned future is the caller's alone.
     */
    CompletableFuture<float[]> vector(Key key, Supplier<CompletableFuture<float[]>> infer) {
        if (cache == null) return infer.get();
        while (true) {
            SharedInference shared = cache.get(key, k -> new SharedInference(infer.get()));
            // registered outside the cache's compute: a future that failed at once must not remove itself inside it
            shared.forgetOnFailure(() -> cache.asMap().remove(key, shared));
            CompletableFuture<float[]> mine = shared.join();
            if (mine != null) return mine;
            cache.asMap().remove(key, shared); // abandoned by all its callers a moment ago: start a fresh one
        }
    }

    /** Caffeine's own Micrometer binding: {@code cache_gets_total{cache="poisk_query_embedding",result="hit|miss"}} and size. */
    void bindTo(MeterRegistry registry) {
        if (cache != null) CaffeineCacheMetrics.monitor(registry, cache, "poisk_query_embedding");
    }

    /** hits (including joins on an inference still running), misses (inferences started), size (entries); empty when off. */
    Map<String, Object> stats() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", cache != null);
        if (cache == null) return out;
        CacheStats s = cache.stats();
        out.put("hits", s.hitCount());
        out.put("misses", s.missCount());
        out.put("size", cache.estimatedSize());
        out.put("evictions", s.evictionCount());
        return out;
    }

    /** Runs pending evictions now (Caffeine does them in the background otherwise); for tests. */
    void cleanUp() {
        if (cache != null) cache.cleanUp();
    }

    /** One inference and the callers waiting on it. */
    private static final class SharedInference {
        private final CompletableFuture<float[]> inference;
        private int waiting;
        private boolean abandoned;
        private boolean cleanupRegistered;

        SharedInference(CompletableFuture<float[]> inference) {
            this.inference = inference;
        }

        synchronized void forgetOnFailure(Runnable forget) {
            if (cleanupRegistered) return;
            cleanupRegistered = true;
            inference.whenComplete((v, e) -> {
                if (e != null) forget.run();
            });
        }

        /** A future of this caller's own, or null when every earlier caller cancelled and the inference was dropped. */
        CompletableFuture<float[]> join() {
            synchronized (this) {
                if (abandoned) return null;
                if (!inference.isDone()) waiting++;
            }
            CompletableFuture<float[]> mine = new CompletableFuture<>();
            inference.whenComplete((v, e) -> {
                if (e == null) mine.complete(v);
                else mine.completeExceptionally(e);
            });
            mine.whenComplete((v, e) -> {
                if (mine.isCancelled()) leave();
            });
            return mine;
        }

        /** A caller cancelled: the last one to go cancels the inference that nobody waits on any more. */
        private void leave() {
            synchronized (this) {
                if (--waiting > 0 || inference.isDone()) return;
                abandoned = true;
            }
            inference.cancel(false);
        }
    }
}
