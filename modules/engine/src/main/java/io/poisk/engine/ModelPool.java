package io.poisk.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * One loaded model runtime per card id (an embedding batcher, a rerank executor), created once on the
 * model-loader thread because loading reads weights and takes seconds. A failed load is forgotten, so a
 * later call retries.
 *
 * @param <T> the runtime kept per model
 */
final class ModelPool<T extends AutoCloseable> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelPool.class);

    private final String what;
    private final BoundedExecutor loader;
    private final Function<String, T> load;
    private final ConcurrentMap<String, CompletableFuture<T>> loaded = new ConcurrentHashMap<>();

    ModelPool(String what, BoundedExecutor loader, Function<String, T> load) {
        this.what = what;
        this.loader = loader;
        this.load = load;
    }

    /**
     * The runtime of {@code modelId}, loading it on first use. The future is the caller's own copy:
     * cancelling it (a superseded live query) never cancels the shared load.
     */
    CompletableFuture<T> get(String modelId) {
        CompletableFuture<T> f = loaded.computeIfAbsent(modelId, id -> loader.submit(() -> {
            long t0 = System.nanoTime();
            T runtime = load.apply(id);
            LOG.info("{} {} ready in {} ms", what, id, (System.nanoTime() - t0) / 1_000_000);
            return runtime;
        }));
        f.whenComplete((r, e) -> {
            if (e != null) loaded.remove(modelId, f);
        });
        return f.copy();
    }

    /** The runtime of {@code modelId} when it is loaded, else null. */
    T loadedOrNull(String modelId) {
        CompletableFuture<T> f = loaded.get(modelId);
        return f == null || !f.isDone() || f.isCompletedExceptionally() ? null : f.join();
    }

    /** Closes every loaded runtime (the loader must be closed first, so no load completes afterwards). */
    @Override
    public void close() {
        for (CompletableFuture<T> f : loaded.values()) {
            if (!f.isDone() || f.isCompletedExceptionally()) continue;
            T runtime = f.join();
            try {
                runtime.close();
            } catch (Exception e) {
                LOG.warn("closing {} {} failed", what, runtime, e);
            }
        }
        loaded.clear();
    }
}
