package io.poisk.models;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import java.time.Duration;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reranks on its own bounded worker pool ("poisk-rerank-N"), in batches of at most maxBatch documents
 * taken in first-stage order, within a time budget: before each batch it checks the deadline (which
 * counts from submission, so queueing spends it too), and documents it did not reach keep their
 * first-stage order after the scored ones, flagged unscored. A batch already running is not cut short,
 * so a budget can be overrun by at most one batch. A full queue fails at once with OVERLOADED.
 */
public final class RerankExecutor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RerankExecutor.class);
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private final Reranker reranker;
    private final int maxBatch;
    private final ThreadPoolExecutor pool;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong cutShort = new AtomicLong();

    private final InferenceMeters meters;

    public RerankExecutor(Reranker reranker, int maxBatch, int workers, int queueCapacity) {
        this(reranker, maxBatch, workers, queueCapacity, InferenceMeters.unexported());
    }

    /** As above, with batch sizes, inference time and budget cuts recorded in {@code registry}. */
    public RerankExecutor(Reranker reranker, int maxBatch, int workers, int queueCapacity, MeterRegistry registry) {
        this.reranker = Objects.requireNonNull(reranker, "reranker");
        this.meters = InferenceMeters.rerank(registry, reranker.card().id());
        FunctionCounter.builder("poisk.rerank.budget.cuts", cutShort, AtomicLong::get)
                .description("reranks whose time budget ran out before every document was scored")
                .tags("model", reranker.card().id()).register(registry);
        if (maxBatch < 1 || workers < 1 || queueCapacity < 1) {
            throw new IllegalArgumentException("need maxBatch, workers and queueCapacity >= 1; got "
                    + maxBatch + ", " + workers + ", " + queueCapacity);
        }
        this.maxBatch = maxBatch;
        this.pool = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueCapacity), r -> {
            Thread thread = new Thread(r, "poisk-rerank-" + THREAD_NUMBER.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    public RerankerCard card() {
        return reranker.card();
    }

    /** Inference batches run so far. */
    public long batches() {
        return batches.get();
    }

    /** Requests whose budget ran out before every document was scored. */
    public long cutShort() {
        return cutShort.get();
    }

    /**
     * Scores {@code documents} (in first-stage order) against the query within {@code budget}; never blocks.
     * Cancelling the future stops before the next batch.
     */
    public CompletableFuture<RerankResult> rerank(String query, String instruction, List<String> documents, Duration budget) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(budget, "budget");
        if (documents.stream().anyMatch(Objects::isNull)) {
            return CompletableFuture.failedFuture(PoiskException.badRequest("documents to rerank must not be null"));
        }
        List<String> docs = List.copyOf(documents);
        long deadline = System.nanoTime() + budget.toNanos();
        CompletableFuture<RerankResult> future = new CompletableFuture<>();
        try {
            pool.execute(new Job(future, () -> run(query, instruction, docs, deadline, future)));
        } catch (RejectedExecutionException e) {
            // one rule for every executor: shut down is UNAVAILABLE (503), a full queue OVERLOADED (429)
            return CompletableFuture.failedFuture(pool.isShutdown()
                    ? new PoiskException(ErrorCode.UNAVAILABLE, "rerank executor is closed")
                    : new PoiskException(ErrorCode.OVERLOADED, "rerank queue is full (" + pool.getQueue().size() + " requests waiting); retry later"));
        }
        return future;
    }

    /** A queued request; close() fails the ones it drops. */
    private record Job(CompletableFuture<RerankResult> future, Runnable work) implements Runnable {
        @Override
        public void run() {
            work.run();
        }
    }

    private void run(String query, String instruction, List<String> docs, long deadline, CompletableFuture<RerankResult> future) {
        int n = docs.size();
        float[] scores = new float[n];
        Arrays.fill(scores, Float.NaN);
        boolean[] scored = new boolean[n];
        int done = 0;
        try {
            while (done < n && !future.isDone() && System.nanoTime() < deadline) {
                int to = Math.min(n, done + maxBatch);
                long started = System.nanoTime();
                float[] batch = reranker.score(query, instruction, docs.subList(done, to));
                meters.inference.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                meters.batchSize.record(to - done);
                batches.incrementAndGet();
                for (int i = done; i < to; i++) {
                    scores[i] = batch[i - done];
                    scored[i] = true;
                }
                done = to;
            }
        } catch (RuntimeException e) {
            log.warn("reranking {} documents with '{}' failed", n, reranker.card().id(), e);
            future.completeExceptionally(PoiskException.from(e));
            return;
        }
        if (done < n) cutShort.incrementAndGet();
        future.complete(new RerankResult(order(scores, done, n), scores, scored, done == n));
    }

    /** The first {@code scoredCount} indices by score (ties keep first-stage order), then the rest as they came. */
    static int[] order(float[] scores, int scoredCount, int n) {
        List<Integer> head = new ArrayList<>(scoredCount);
        for (int i = 0; i < scoredCount; i++) head.add(i);
        head.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed()); // stable
        int[] order = new int[n];
        for (int i = 0; i < scoredCount; i++) order[i] = head.get(i);
        for (int i = scoredCount; i < n; i++) order[i] = i;
        return order;
    }

    /** Stops the workers (a running batch finishes) and fails the queued requests with UNAVAILABLE; does not close the reranker. */
    @Override
    public void close() {
        PoiskException stopped = new PoiskException(ErrorCode.UNAVAILABLE, "rerank executor closed");
        for (Runnable queued : pool.shutdownNow()) {
            if (queued instanceof Job job) job.future().completeExceptionally(stopped);
        }
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
