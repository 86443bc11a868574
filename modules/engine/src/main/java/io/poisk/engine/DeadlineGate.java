package io.poisk.engine;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A search's deadline: a {@link StageGate} in front of another (plain search's {@link StageGate#NONE} or a
 * {@link LiveQuery}) that closes itself when a timer on the engine's scheduler fires. Then no further stage
 * starts, the running one is cancelled (a query text still queued for inference is dropped from the batcher,
 * a rerank stops before its next batch), and {@link #watch} fails at once with DEADLINE_EXCEEDED naming the
 * stage, without waiting for work that cannot be interrupted (an index search already running).
 */
final class DeadlineGate implements StageGate {
    private final StageGate inner;
    private final long timeoutMs;
    private final DeadlineStats stats;
    private final CompletableFuture<SearchPage> result = new CompletableFuture<>();
    private ScheduledFuture<?> timer;
    private CompletableFuture<?> current = CompletableFuture.completedFuture(null);
    private LiveQuery.Stage stage = LiveQuery.Stage.LOOKUP;
    private boolean passed;
    private boolean finished;

    private DeadlineGate(StageGate inner, long timeoutMs, DeadlineStats stats) {
        this.inner = inner;
        this.timeoutMs = timeoutMs;
        this.stats = stats;
    }

    /** A gate whose deadline runs from now. */
    static DeadlineGate start(StageGate inner, Duration timeout, ScheduledExecutorService scheduler, DeadlineStats stats) {
        DeadlineGate gate = new DeadlineGate(inner, Math.max(1, timeout.toMillis()), stats);
        ScheduledFuture<?> timer = scheduler.schedule(gate::expire, gate.timeoutMs, TimeUnit.MILLISECONDS);
        synchronized (gate) {
            gate.timer = timer;
        }
        return gate;
    }

    /**
     * The pipeline's outcome under the deadline: its page or failure if it ends in time, else DEADLINE_EXCEEDED
     * as soon as the deadline passes.
     */
    CompletableFuture<SearchPage> watch(CompletableFuture<SearchPage> pipeline) {
        pipeline.whenComplete((page, failure) -> {
            ScheduledFuture<?> t;
            synchronized (this) {
                if (passed) return; // already failed with DEADLINE_EXCEEDED
                finished = true;
                t = timer;
            }
            if (t != null) t.cancel(false);
            if (failure == null) result.complete(page);
            else result.completeExceptionally(failure);
        });
        return result;
    }

    /** The check and the start share the lock with {@link #expire}: no stage starts after the deadline passed. */
    @Override
    public synchronized <T> CompletableFuture<T> step(LiveQuery.Stage next, CompletableFuture<Void> workEnded,
                                                      Supplier<CompletableFuture<T>> start) {
        if (passed) return CompletableFuture.failedFuture(exceeded(stage));
        stage = next;
        CompletableFuture<T> f = inner.step(next, workEnded, start);
        current = f;
        return f;
    }

    @Override
    public void publishCandidates(SearchPage page) {
        inner.publishCandidates(page);
    }

    @Override
    public void indexSearchRun() {
        inner.indexSearchRun();
    }

    @Override
    public boolean asYouType() {
        return inner.asYouType();
    }

    private void expire() {
        CompletableFuture<?> running;
        LiveQuery.Stage at;
        synchronized (this) {
            if (passed || finished) return;
            passed = true;
            running = current;
            at = stage;
        }
        stats.exceeded(at);
        // the work stops before the caller hears of the deadline, so nothing of it runs on after the 504
        if (running != null) running.cancel(false);
        result.completeExceptionally(exceeded(at));
    }

    private PoiskException exceeded(LiveQuery.Stage at) {
        return new PoiskException(ErrorCode.DEADLINE_EXCEEDED, "the search did not finish within its deadline of " + timeoutMs
                + " ms and was stopped in stage '" + at.wireName() + "'; ask for more with \"timeout_ms\" or the Request-Timeout"
                + " header (up to limits.max_request_timeout_ms), or narrow the search (k, rerank.top_n)");
    }
}
