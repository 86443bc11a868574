package io.poisk.engine;

import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One live search: the {@link SearchPipeline} run through this gate, each stage a future of the engine's executors. {@link #cancel}
 * cancels the stage in progress, which drops work not yet started (a query text still waiting for an
 * inference batch, an index search still queued, reranker batches not yet run), and keeps every later
 * stage from starting. A query with a rerank step publishes the first-stage page as {@link #candidates}
 * before the reranked {@link #result}.
 */
public final class LiveQuery implements StageGate {
    /** Pipeline stages, in order; a cancelled query records the one it was stopped in. */
    public enum Stage {
        /** Held by its connection until one of the connection's earlier queries frees a slot. */
        WAITING, LOOKUP, EMBEDDING, INDEX_SEARCH, RERANK, DONE;

        String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final LiveSearchStats stats;
    private final CompletableFuture<SearchPage> candidates = new CompletableFuture<>();
    private final CompletableFuture<SearchPage> result = new CompletableFuture<>();
    private final CompletableFuture<Void> settled = new CompletableFuture<>();
    private CompletableFuture<?> current = CompletableFuture.completedFuture(null);
    /** When the work of the current stage has really stopped (a running index search is not interruptible). */
    private CompletableFuture<Void> currentWorkEnded = CompletableFuture.completedFuture(null);
    private Stage stage = Stage.LOOKUP;
    private boolean cancelled;

    LiveQuery(LiveSearchStats stats) {
        this.stats = stats;
        stats.started();
    }

    /**
     * A query refused before it started (e.g. live search of a sharded collection in cluster mode): its result fails
     * with {@code failure}, counted in {@code stats}.
     */
    public static LiveQuery refused(LiveSearchStats stats, Throwable failure) {
        LiveQuery q = new LiveQuery(stats);
        q.finish(null, failure);
        return q;
    }

    /** Completes with the final page, fails with the query's error, or is cancelled. */
    public CompletableFuture<SearchPage> result() {
        return result;
    }

    /**
     * Completes with the first-stage page (cut to k) once retrieval is done, when a rerank step follows;
     * never completes for a query without one (its first stage is its result) or one cancelled before.
     */
    public CompletableFuture<SearchPage> candidates() {
        return candidates;
    }

    @Override
    public boolean asYouType() {
        return true;
    }

    /** Called by the pipeline when first-stage retrieval is done and reranking is about to start. */
    @Override
    public void publishCandidates(SearchPage page) {
        synchronized (this) {
            if (cancelled) return;
        }
        candidates.complete(page);
    }

    /**
     * Completes once nothing of this query runs any more: at its result, or for a cancelled query once
     * the stage it was stopped in has ended. A connection counts its queries as in flight until then.
     */
    public CompletableFuture<Void> settled() {
        return settled;
    }

    /**
     * Starts the next stage unless the query was cancelled; the check and the start share the lock
     * with {@link #cancel}, so a stage never starts after a cancel returned. {@code workEnded} (null: the
     * stage's future) says when work that outlives a cancel has stopped.
     */
    @Override
    public synchronized <T> CompletableFuture<T> step(Stage next, CompletableFuture<Void> workEnded, Supplier<CompletableFuture<T>> start) {
        if (cancelled) return CompletableFuture.failedFuture(new CancellationException("live query cancelled"));
        stage = next;
        currentWorkEnded = workEnded;
        CompletableFuture<T> f;
        try {
            f = start.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        current = f;
        if (workEnded == null) currentWorkEnded = f.handle((v, e) -> null);
        return f;
    }

    @Override
    public void indexSearchRun() {
        stats.indexSearchRun();
    }

    /** Called by the pipeline with its outcome; counts it once. */
    void finish(SearchPage response, Throwable failure) {
        synchronized (this) {
            if (cancelled) return; // counted by cancel()
            stage = Stage.DONE;
        }
        if (failure == null) {
            if (result.complete(response)) stats.completed();
        } else if (result.completeExceptionally(failure)) {
            stats.failed();
        }
        settled.complete(null);
    }

    /** Stops the query; true when it was still running (its work is dropped where not started). */
    public boolean cancel() {
        CompletableFuture<?> running;
        CompletableFuture<Void> workEnded;
        Stage at;
        synchronized (this) {
            if (cancelled || stage == Stage.DONE) return false;
            cancelled = true;
            running = current;
            workEnded = currentWorkEnded;
            at = stage;
        }
        stats.cancelled(at);
        running.cancel(false);
        result.cancel(false);
        workEnded.whenComplete((v, e) -> settled.complete(null));
        return true;
    }
}
