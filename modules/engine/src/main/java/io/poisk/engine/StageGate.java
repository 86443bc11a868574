package io.poisk.engine;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Where the {@link SearchPipeline} starts each stage. A live query ({@link LiveQuery}) is a gate that
 * a cancel closes: no stage starts after it, and the running one is cancelled. Plain search passes
 * {@link #NONE}, which starts every stage at once.
 */
interface StageGate {
    /** Starts a stage; {@code workEnded} (may be null) completes when its work has really stopped. */
    <T> CompletableFuture<T> step(LiveQuery.Stage stage, CompletableFuture<Void> workEnded, Supplier<CompletableFuture<T>> start);

    /** The first-stage page (cut to k), published before a rerank step starts. */
    void publishCandidates(SearchPage page);

    /** Called on the disk thread when the index search really runs (not skipped by a cancel). */
    void indexSearchRun();

    /** Whether the query is typed live (WebSocket, SSE): its unfinished last word then also matches as a prefix. */
    default boolean asYouType() {
        return false;
    }

    default <T> CompletableFuture<T> step(LiveQuery.Stage stage, Supplier<CompletableFuture<T>> start) {
        return step(stage, null, start);
    }

    /** No gate: plain search. */
    StageGate NONE = new StageGate() {
        @Override
        public <T> CompletableFuture<T> step(LiveQuery.Stage stage, CompletableFuture<Void> workEnded,
                                             Supplier<CompletableFuture<T>> start) {
            try {
                return start.get();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public void publishCandidates(SearchPage page) {
        }

        @Override
        public void indexSearchRun() {
        }
    };
}
