package io.poisk.cluster;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The retry rules on a real (local) event bus: consumers stand in for workers, one of which swallows its batch the
 * way a worker killed mid-batch does. Round-robin among an address's consumers is Vert.x's own.
 */
class InferenceClientTest {
    private static final String ADDRESS = InferenceWorkerVerticle.embedAddress("m");
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private MessageConsumer<Buffer> worker(io.vertx.core.Handler<io.vertx.core.eventbus.Message<Buffer>> handler) throws Exception {
        MessageConsumer<Buffer> c = vertx.eventBus().consumer(ADDRESS, handler);
        c.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return c;
    }

    private static Buffer body(int i) {
        return Buffer.buffer().appendInt(i);
    }

    @Test
    void aBatchSwallowedByADeadWorkerIsAnsweredByTheOtherAndNoRequestFails() throws Exception {
        AtomicInteger swallowed = new AtomicInteger();
        worker(m -> swallowed.incrementAndGet()); // took the batch, never answers: killed mid-batch
        worker(m -> m.reply(m.body()));
        InferenceClient client = new InferenceClient(vertx, 5_000, 200);
        List<CompletableFuture<Buffer>> replies = new ArrayList<>();
        for (int i = 0; i < 10; i++) replies.add(client.request(ADDRESS, "model 'm'", body(i)));
        for (int i = 0; i < 10; i++) assertThat(replies.get(i).get(10, TimeUnit.SECONDS).getInt(0)).isEqualTo(i);
        assertThat(swallowed.get()).as("round robin sent some batches to the dead one").isPositive();
        assertThat(client.stats()).containsEntry("retries", (long) swallowed.get()).containsEntry("failures", 0L)
                .containsEntry("in_flight", 0L);
    }

    @Test
    void aMemberLeavingResendsTheRequestsInFlightWithoutWaitingForTheirTimeout() throws Exception {
        AtomicInteger swallowed = new AtomicInteger();
        MessageConsumer<Buffer> dead = worker(m -> swallowed.incrementAndGet());
        worker(m -> m.reply(m.body()));
        InferenceClient client = new InferenceClient(vertx, 30_000, 20_000);
        List<CompletableFuture<Buffer>> replies = new ArrayList<>();
        for (int i = 0; i < 6; i++) replies.add(client.request(ADDRESS, "model 'm'", body(i)));
        long t0 = System.nanoTime();
        while (swallowed.get() < 3 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5)) Thread.sleep(5);
        assertThat(swallowed.get()).isEqualTo(3);
        dead.unregister().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS); // what Vert.x does for a dead member
        client.memberLeft();
        for (int i = 0; i < 6; i++) assertThat(replies.get(i).get(5, TimeUnit.SECONDS).getInt(0)).isEqualTo(i);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("long before the 20 s attempt timeout").isLessThan(5_000);
        assertThat(client.stats()).containsEntry("retries", 3L).containsEntry("in_flight", 0L);
    }

    @Test
    void copiesOfARequestAWorkerStillRunsJoinThatRunInsteadOfQueueingTwice() throws Exception {
        SlowEmbedding runtime = new SlowEmbedding(700);
        InferenceWorkerVerticle verticle = new InferenceWorkerVerticle(java.util.Map.of("m", runtime), java.util.Map.of());
        vertx.deployVerticle(verticle, new io.vertx.core.DeploymentOptions().setThreadingModel(io.vertx.core.ThreadingModel.WORKER))
                .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        InferenceClient client = new InferenceClient(vertx, 5_000, 200); // gives up on each attempt long before the run ends
        Buffer reply = client.request(ADDRESS, "model 'm'", InferenceCodec.embedRequest(List.of("a", "bb"), io.poisk.models.EmbeddingRole.PASSAGE, null))
                .get(5, TimeUnit.SECONDS);
        assertThat(InferenceCodec.vectors(reply)).hasDimensions(2, 3);
        assertThat(InferenceCodec.vectors(reply)[1]).containsExactly(2f, 0f, 0f);
        assertThat((long) client.stats().get("retries")).as("the client did send copies").isPositive();
        assertThat(runtime.submits.get()).as("but the batch ran once").isEqualTo(1);
        assertThat(verticle.copiesJoined()).isEqualTo((long) client.stats().get("retries"));
    }

    /** A model stand-in that takes its time: one vector per text, [length, 0, 0], after {@code delayMs}. */
    private static final class SlowEmbedding implements io.poisk.engine.EmbeddingRuntime {
        final AtomicInteger submits = new AtomicInteger();
        private final long delayMs;

        SlowEmbedding(long delayMs) {
            this.delayMs = delayMs;
        }

        @Override
        public io.poisk.models.EmbedderCard card() {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.poisk.models.PassageSplitter splitter() {
            return null;
        }

        @Override
        public CompletableFuture<float[][]> submit(List<String> texts, io.poisk.models.EmbeddingRole role, String instruction) {
            submits.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> texts.stream().map(t -> new float[]{t.length(), 0, 0}).toArray(float[][]::new),
                    CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
        }

        @Override
        public io.poisk.models.BatcherStats stats() {
            return null;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void withNoWorkerARequestFailsWith503WithinItsDeadlineNotAHang() {
        InferenceClient client = new InferenceClient(vertx, 600, 200);
        long t0 = System.nanoTime();
        CompletableFuture<Buffer> reply = client.request(ADDRESS, "model 'm'", body(1));
        assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(PoiskException.class).hasMessageContaining("model 'm'").hasMessageContaining("no inference worker serves it");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).as("failed after the deadline, not long after").isBetween(550L, 2_500L);
        assertThat(((PoiskException) reply.handle((r, e) -> e.getCause() == null ? e : e.getCause()).join()).code())
                .isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(client.stats()).containsEntry("failures", 1L);
    }

    @Test
    void aWorkerThatJoinsWhileARequestWaitsAnswersIt() throws Exception {
        InferenceClient client = new InferenceClient(vertx, 5_000, 1_000);
        CompletableFuture<Buffer> reply = client.request(ADDRESS, "model 'm'", body(7));
        Thread.sleep(300); // a few back-offs with no worker
        assertThat(reply).isNotDone();
        worker(m -> m.reply(m.body()));
        assertThat(reply.get(5, TimeUnit.SECONDS).getInt(0)).isEqualTo(7);
    }

    @Test
    void aWorkersVerdictOnTheInputIsFinalButAFullWorkerIsRetried() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        MessageConsumer<Buffer> refusing = worker(m -> {
            asked.incrementAndGet();
            InferenceCodec.fail(m, PoiskException.badRequest("texts to embed must not be null"));
        });
        InferenceClient client = new InferenceClient(vertx, 5_000, 1_000);
        CompletableFuture<Buffer> bad = client.request(ADDRESS, "model 'm'", body(1));
        assertThatThrownBy(() -> bad.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(PoiskException.class)
                .hasMessage("texts to embed must not be null");
        assertThat(asked.get()).as("not retried").isEqualTo(1);
        refusing.unregister().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

        AtomicInteger full = new AtomicInteger();
        worker(m -> {
            if (full.getAndIncrement() < 2) InferenceCodec.fail(m, new PoiskException(ErrorCode.OVERLOADED, "embedding queue is full"));
            else m.reply(m.body());
        });
        assertThat(client.request(ADDRESS, "model 'm'", body(3)).get(5, TimeUnit.SECONDS).getInt(0)).isEqualTo(3);
        assertThat(full.get()).isEqualTo(3);
    }

    @Test
    void workersThatStayFullEndIn429AtTheDeadline() throws Exception {
        worker(m -> InferenceCodec.fail(m, new PoiskException(ErrorCode.OVERLOADED, "embedding queue is full")));
        InferenceClient client = new InferenceClient(vertx, 400, 200);
        CompletableFuture<Buffer> reply = client.request(ADDRESS, "model 'm'", body(1));
        assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(PoiskException.class)
                .satisfies(e -> assertThat(((PoiskException) e).code()).isEqualTo(ErrorCode.OVERLOADED));
    }
}
