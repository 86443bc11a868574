package io.poisk.engine;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deadline gate alone, on a real scheduler: what it stops, when, and what it lets through in time. */
class DeadlineGateTest {
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final DeadlineStats stats = new DeadlineStats();

    {
        scheduler.setRemoveOnCancelPolicy(true); // as the engine's: a cancelled timer leaves the queue
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void pastTheDeadlineTheRunningStageIsCancelledAndNoLaterStageStarts() throws Exception {
        DeadlineGate gate = DeadlineGate.start(StageGate.NONE, Duration.ofMillis(20), scheduler, stats);
        CompletableFuture<String> embedding = new CompletableFuture<>(); // a stage that would never end by itself
        CompletableFuture<SearchPage> pipeline = new CompletableFuture<>();
        CompletableFuture<SearchPage> result = gate.watch(pipeline);
        assertThat(gate.step(LiveQuery.Stage.EMBEDDING, () -> embedding)).isSameAs(embedding);

        assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(PoiskException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DEADLINE_EXCEEDED);
                    assertThat(e.getMessage()).contains("20 ms").contains("'embedding'");
                });
        assertThat(embedding.isCancelled()).as("the running stage is cancelled, dropping its queued work").isTrue();
        AtomicBoolean started = new AtomicBoolean();
        CompletableFuture<Object> later = gate.step(LiveQuery.Stage.INDEX_SEARCH, () -> {
            started.set(true);
            return new CompletableFuture<>();
        });
        assertThat(started).as("no stage starts after the deadline").isFalse();
        assertThat(later).isCompletedExceptionally();
        assertThat(stats.exceededCount()).isEqualTo(1);
        assertThat(stats.byStage()).containsEntry("embedding", 1L);
        // the pipeline ending afterwards changes nothing
        pipeline.complete(new SearchPage(java.util.List.of(), 1, null));
        assertThat(result).isCompletedExceptionally();
    }

    @Test
    void aSearchThatEndsInTimeKeepsItsOutcomeAndItsTimerIsDropped() throws Exception {
        DeadlineGate gate = DeadlineGate.start(StageGate.NONE, Duration.ofSeconds(30), scheduler, stats);
        CompletableFuture<SearchPage> pipeline = new CompletableFuture<>();
        CompletableFuture<SearchPage> result = gate.watch(pipeline);
        SearchPage page = new SearchPage(java.util.List.of(), 3, null);
        pipeline.complete(page);
        assertThat(result.get(1, TimeUnit.SECONDS)).isSameAs(page);
        assertThat(scheduler.getQueue()).as("the timer left the scheduler's queue").isEmpty();
        assertThat(stats.exceededCount()).isZero();
    }
}
