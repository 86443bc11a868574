package io.poisk.engine;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of threads with a bounded queue for blocking work (disk reads and writes). A full
 * queue fails the task at once with {@link ErrorCode#OVERLOADED} instead of making callers wait
 * without bound.
 */
final class BoundedExecutor implements AutoCloseable {
    private final String name;
    private final ThreadPoolExecutor pool;

    BoundedExecutor(String name, int threads, int queueCapacity) {
        this.name = name;
        AtomicInteger counter = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread t = new Thread(r, name + "-" + counter.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Runs the task on the pool; the future fails with the task's exception or with OVERLOADED.
     * Cancelling the future before the task starts skips the task (a running task is not interrupted).
     */
    <T> CompletableFuture<T> submit(Callable<T> task) {
        return submit(task, new CompletableFuture<>());
    }

    /** As {@link #submit(Callable)}; {@code ended} completes once the task has run, was skipped or was rejected. */
    <T> CompletableFuture<T> submit(Callable<T> task, CompletableFuture<Void> ended) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try {
                    if (result.isDone()) return; // cancelled while queued: the work is dropped, not done
                    result.complete(task.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                } finally {
                    ended.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            ended.complete(null);
            String why = pool.isShutdown() ? "the engine is shutting down" : "too many pending " + name + " tasks, retry later";
            result.completeExceptionally(new PoiskException(
                    pool.isShutdown() ? ErrorCode.UNAVAILABLE : ErrorCode.OVERLOADED, why));
        }
        return result;
    }

    /** Stops taking work and waits for the tasks already accepted, so their writes finish. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(60, TimeUnit.SECONDS)) pool.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        }
    }
}
