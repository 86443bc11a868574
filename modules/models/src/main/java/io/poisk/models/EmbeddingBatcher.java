package io.poisk.models;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching in front of an {@link Embedder}: texts of concurrent requests that share a role and
 * an instruction ride in one inference batch. Callers never block: a full queue (counted in texts)
 * fails the request at once with OVERLOADED. Dedicated daemon threads ("poisk-inference-N") take up to
 * maxBatch texts (at most an even share of the queue among them), waiting at most maxWaitMs after the oldest one
 * arrived for a partial batch to fill.
 */
public final class EmbeddingBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingBatcher.class);
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    /** Texts of one (role, instruction) may share a batch; others may not. */
    private record BatchKey(EmbeddingRole role, String instruction) {}

    /** One submitted request: its results fill in as its texts come out of batches. */
    private static final class Request {
        final CompletableFuture<float[][]> future = new CompletableFuture<>();
        final float[][] vectors;
        final AtomicInteger remaining;

        Request(int size) {
            vectors = new float[size][];
            remaining = new AtomicInteger(size);
        }
    }

    private record PendingText(Request request, int index, String text, long enqueuedNanos) {}

    private final Embedder embedder;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final int queueCapacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Map<BatchKey, ArrayDeque<PendingText>> queues = new LinkedHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong texts = new AtomicLong();
    private final AtomicInteger largestBatch = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();
    private final List<Thread> workers = new ArrayList<>();
    private final int workerCount; // set before any worker starts; the list grows while they do
    private volatile boolean closed;

    private final InferenceMeters meters;

    public EmbeddingBatcher(Embedder embedder, int maxBatch, long maxWaitMs, int queueCapacity, int workers) {
        this(embedder, maxBatch, maxWaitMs, queueCapacity, workers, InferenceMeters.unexported());
    }

    /** As above, with queue depth, queue wait, batch sizes and inference time recorded in {@code registry}. */
    public EmbeddingBatcher(Embedder embedder, int maxBatch, long maxWaitMs, int queueCapacity, int workers, MeterRegistry registry) {
        this.embedder = Objects.requireNonNull(embedder, "embedder");
        this.meters = InferenceMeters.embedding(registry, embedder.card().id());
        Tags model = Tags.of("model", embedder.card().id());
        Gauge.builder("poisk.embedding.queue.depth", queued, AtomicInteger::get).description("texts waiting for inference")
                .tags(model).register(registry);
        FunctionCounter.builder("poisk.embedding.rejected", rejected, AtomicLong::get)
                .description("embedding requests refused with 429 because the queue was full").tags(model).register(registry);
        FunctionCounter.builder("poisk.embedding.texts", texts, AtomicLong::get).description("texts embedded").tags(model).register(registry);
        if (maxBatch < 1 || maxWaitMs < 0 || queueCapacity < 1 || workers < 1) {
            throw new IllegalArgumentException("need maxBatch >= 1, maxWaitMs >= 0, queueCapacity >= 1, workers >= 1; got "
                    + maxBatch + ", " + maxWaitMs + ", " + queueCapacity + ", " + workers);
        }
        this.maxBatch = maxBatch;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.queueCapacity = queueCapacity;
        this.workerCount = workers;
        for (int i = 0; i < workers; i++) {
            Thread thread = new Thread(this::drain, "poisk-inference-" + THREAD_NUMBER.incrementAndGet());
            thread.setDaemon(true);
            this.workers.add(thread);
            thread.start();
        }
    }

    public PassageSplitter splitter() {
        return embedder.splitter();
    }

    public EmbedderCard card() {
        return embedder.card();
    }

    /**
     * Queues the texts; the future completes with one vector per text, in order. Never blocks:
     * completes exceptionally with OVERLOADED at once when the queue cannot take them all.
     * Cancelling the future drops its texts that have not reached a batch yet.
     */
    public CompletableFuture<float[][]> submit(List<String> texts, EmbeddingRole role, String instruction) {
        Objects.requireNonNull(role, "role");
        if (closed) {
            return CompletableFuture.failedFuture(new PoiskException(ErrorCode.UNAVAILABLE, "embedding batcher is closed"));
        }
        if (texts.isEmpty()) return CompletableFuture.completedFuture(new float[0][]);
        if (texts.stream().anyMatch(Objects::isNull)) { // List.of(...).contains(null) would throw
            return CompletableFuture.failedFuture(PoiskException.badRequest("texts to embed must not be null"));
        }
        int n = texts.size();
        int before;
        do {
            before = queued.get();
            if (before + n > queueCapacity) {
                rejected.incrementAndGet();
                return CompletableFuture.failedFuture(new PoiskException(ErrorCode.OVERLOADED,
                        "embedding queue is full (" + before + " of " + queueCapacity + " texts waiting, "
                                + n + " more asked); retry later"));
            }
        } while (!queued.compareAndSet(before, before + n));

        Request request = new Request(n);
        BatchKey key = new BatchKey(role, instruction == null || instruction.isBlank() ? null : instruction);
        long now = System.nanoTime();
        lock.lock();
        try {
            ArrayDeque<PendingText> queue = queues.computeIfAbsent(key, k -> new ArrayDeque<>());
            for (int i = 0; i < n; i++) {
                queue.add(new PendingText(request, i, texts.get(i), now));
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        return request.future;
    }

    public BatcherStats stats() {
        return new BatcherStats(batches.get(), texts.get(), largestBatch.get(), rejected.get(), queued.get());
    }

    private void drain() {
        while (!closed) {
            List<PendingText> batch;
            BatchKey key;
            lock.lock();
            try {
                Map.Entry<BatchKey, ArrayDeque<PendingText>> next = nextReadyQueue();
                if (next == null) continue;
                key = next.getKey();
                batch = take(next.getValue());
                if (next.getValue().isEmpty()) queues.remove(key);
            } catch (InterruptedException e) {
                break;
            } finally {
                lock.unlock();
            }
            queued.addAndGet(-batch.size());
            batch.removeIf(p -> p.request().future.isDone()); // cancelled or failed meanwhile
            if (!batch.isEmpty()) run(key, batch);
        }
    }

    /**
     * Under the lock: the queue whose oldest text waited longest, once it holds a full batch or that
     * text has waited maxWaitMs; null after waiting when there is none yet.
     */
    private Map.Entry<BatchKey, ArrayDeque<PendingText>> nextReadyQueue() throws InterruptedException {
        Map.Entry<BatchKey, ArrayDeque<PendingText>> oldest = null;
        for (Map.Entry<BatchKey, ArrayDeque<PendingText>> entry : queues.entrySet()) {
            if (oldest == null || entry.getValue().peek().enqueuedNanos() < oldest.getValue().peek().enqueuedNanos()) {
                oldest = entry;
            }
        }
        if (oldest == null) {
            arrived.await(100, TimeUnit.MILLISECONDS); // wake now and then to notice close()
            return null;
        }
        long waitLeft = oldest.getValue().peek().enqueuedNanos() + maxWaitNanos - System.nanoTime();
        if (oldest.getValue().size() >= maxBatch || waitLeft <= 0) return oldest;
        arrived.awaitNanos(waitLeft);
        return null; // re-evaluate: more texts may have come, or another worker took these
    }

    /**
     * Under the lock: up to maxBatch texts, and no more than an even share of the queue among the workers, so
     * that one large request keeps every worker busy to its end: 47 passages on two workers went as 16, 16 and
     * then 15 on one worker while the other core idled; as 16, 16, 8, 4, 2 and 1 both finish within a text of each
     * other. A worker leaving texts behind wakes another.
     */
    private List<PendingText> take(ArrayDeque<PendingText> queue) {
        int share = (queue.size() + workerCount - 1) / workerCount;
        int size = Math.min(maxBatch, share);
        List<PendingText> batch = new ArrayList<>(size);
        while (batch.size() < size && !queue.isEmpty()) batch.add(queue.poll());
        if (!queue.isEmpty()) arrived.signal();
        return batch;
    }

    private void run(BatchKey key, List<PendingText> batch) {
        // Neighbours of similar length pad less (characters stand in for tokens; the embedder
        // orders by true token counts again within the batch).
        batch.sort(Comparator.comparingInt(p -> p.text().length()));
        List<String> inputs = new ArrayList<>(batch.size());
        for (PendingText p : batch) inputs.add(p.text());
        float[][] vectors;
        long started = System.nanoTime();
        for (PendingText p : batch) meters.queueWait.record(started - p.enqueuedNanos(), TimeUnit.NANOSECONDS);
        try {
            vectors = embedder.embed(inputs, key.role(), key.instruction());
            meters.inference.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            meters.batchSize.record(batch.size());
        } catch (RuntimeException e) {
            log.warn("embedding batch of {} texts failed", batch.size(), e);
            Set<Request> failed = new LinkedHashSet<>();
            for (PendingText p : batch) failed.add(p.request());
            for (Request r : failed) r.future.completeExceptionally(PoiskException.from(e));
            return;
        }
        batches.incrementAndGet();
        texts.addAndGet(batch.size());
        largestBatch.accumulateAndGet(batch.size(), Math::max);
        for (int i = 0; i < batch.size(); i++) {
            PendingText p = batch.get(i);
            p.request().vectors[p.index()] = vectors[i];
            if (p.request().remaining.decrementAndGet() == 0) {
                p.request().future.complete(p.request().vectors);
            }
        }
    }

    /** Stops the workers and fails what is still queued with UNAVAILABLE; does not close the embedder. */
    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
        for (Thread worker : workers) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        lock.lock();
        try {
            PoiskException stopped = new PoiskException(ErrorCode.UNAVAILABLE, "embedding batcher closed");
            for (ArrayDeque<PendingText> queue : queues.values()) {
                for (Iterator<PendingText> it = queue.iterator(); it.hasNext(); ) {
                    it.next().request().future.completeExceptionally(stopped);
                }
            }
            queues.clear();
            queued.set(0);
        } finally {
            lock.unlock();
        }
    }
}
