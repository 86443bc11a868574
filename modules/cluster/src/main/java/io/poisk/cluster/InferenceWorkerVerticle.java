package io.poisk.cluster;

import io.poisk.engine.EmbeddingRuntime;
import io.poisk.engine.RerankRuntime;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Serves inference on the event bus: one consumer per model on {@code poisk.embed.<model>} or
 * {@code poisk.rerank.<model>}, registered (cluster-wide, through Hazelcast) only once the model is loaded, so no
 * batch reaches a worker that cannot run it. A message is decoded and handed to the model's runtime (the dynamic
 * batcher, which batches it with requests from every serving node, or the rerank executor); the reply is sent when
 * the runtime's future completes. Deployed with the worker threading model: decoding and encoding never run on an
 * event loop, and inference runs on the runtimes' own threads, so no handler ever waits for a model.
 */
public final class InferenceWorkerVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceWorkerVerticle.class);

    private final Map<String, EmbeddingRuntime> embedders;
    private final Map<String, RerankRuntime> rerankers;
    private final List<MessageConsumer<Buffer>> consumers = new ArrayList<>();
    /** Requests being run, by request id: copies of them join the run. Bounded by the runtimes' own queues. */
    private final ConcurrentMap<String, CompletableFuture<Buffer>> running = new ConcurrentHashMap<>();
    private final AtomicLong copiesJoined = new AtomicLong();

    /** Runtimes by model id, already loaded; the caller owns (and closes) them. */
    public InferenceWorkerVerticle(Map<String, EmbeddingRuntime> embedders, Map<String, RerankRuntime> rerankers) {
        this.embedders = Map.copyOf(embedders);
        this.rerankers = Map.copyOf(rerankers);
    }

    public static String embedAddress(String model) {
        return "poisk.embed." + model;
    }

    public static String rerankAddress(String model) {
        return "poisk.rerank." + model;
    }

    @Override
    public Future<?> start() {
        List<Future<Void>> registered = new ArrayList<>();
        embedders.forEach((id, runtime) -> registered.add(register(embedAddress(id), m -> embed(runtime, m))));
        rerankers.forEach((id, runtime) -> registered.add(register(rerankAddress(id), m -> rerank(runtime, m))));
        return Future.all(registered).onSuccess(v -> LOG.info("serving inference on {}",
                consumers.stream().map(MessageConsumer::address).sorted().toList()));
    }

    private Future<Void> register(String address, io.vertx.core.Handler<Message<Buffer>> handler) {
        MessageConsumer<Buffer> consumer = vertx.eventBus().consumer(address, handler);
        consumers.add(consumer);
        return consumer.completion(); // completes once the registration reached the cluster's subscription map
    }

    private void embed(EmbeddingRuntime runtime, Message<Buffer> message) {
        serve(message, body -> {
            InferenceCodec.EmbedRequest request = InferenceCodec.embedRequest(body);
            return runtime.submit(request.texts(), request.role(), request.instruction()).thenApply(InferenceCodec::vectors);
        });
    }

    private void rerank(RerankRuntime runtime, Message<Buffer> message) {
        serve(message, body -> {
            InferenceCodec.RerankRequest request = InferenceCodec.rerankRequest(body);
            return runtime.rerank(request.query(), request.instruction(), request.documents(), Duration.ofMillis(request.budgetMs()))
                    .thenApply(InferenceCodec::rerankResult);
        });
    }

    /**
     * Runs {@code work} on the message's body and replies with its result, or with its error. A copy of a request this
     * worker is still running (same {@link InferenceClient#REQUEST_ID}: the sender gave up waiting, or a member left)
     * is answered from that run instead of queueing the batch twice.
     */
    private void serve(Message<Buffer> message, Function<Buffer, CompletableFuture<Buffer>> work) {
        String id = message.headers().get(InferenceClient.REQUEST_ID);
        CompletableFuture<Buffer> reply;
        if (id == null) {
            reply = run(work, message.body());
        } else {
            boolean[] started = {false};
            reply = running.computeIfAbsent(id, k -> {
                started[0] = true;
                return run(work, message.body());
            });
            if (started[0]) {
                CompletableFuture<Buffer> mine = reply;
                mine.whenComplete((b, e) -> running.remove(id, mine));
            } else {
                copiesJoined.incrementAndGet();
            }
        }
        reply.whenComplete((b, e) -> {
            if (e != null) InferenceCodec.fail(message, e);
            else message.reply(b);
        });
    }

    private static CompletableFuture<Buffer> run(Function<Buffer, CompletableFuture<Buffer>> work, Buffer body) {
        try {
            return work.apply(body);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Copies of requests answered from a run already under way (for tests and logs). */
    public long copiesJoined() {
        return copiesJoined.get();
    }

    /** Unregisters every consumer, so the cluster stops routing batches here before the runtimes close. */
    @Override
    public Future<?> stop() {
        return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    }
}
