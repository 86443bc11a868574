package io.poisk.cluster;

import io.poisk.engine.EmbeddingRuntime;
import io.poisk.engine.RerankRuntime;
import io.poisk.models.RerankResult;
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

    private static void embed(EmbeddingRuntime runtime, Message<Buffer> message) {
        CompletableFuture<float[][]> vectors;
        try {
            InferenceCodec.EmbedRequest request = InferenceCodec.embedRequest(message.body());
            vectors = runtime.submit(request.texts(), request.role(), request.instruction());
        } catch (RuntimeException e) {
            vectors = CompletableFuture.failedFuture(e);
        }
        vectors.whenComplete((v, e) -> {
            if (e != null) InferenceCodec.fail(message, e);
            else message.reply(InferenceCodec.vectors(v));
        });
    }

    private static void rerank(RerankRuntime runtime, Message<Buffer> message) {
        CompletableFuture<RerankResult> result;
        try {
            InferenceCodec.RerankRequest request = InferenceCodec.rerankRequest(message.body());
            result = runtime.rerank(request.query(), request.instruction(), request.documents(), Duration.ofMillis(request.budgetMs()));
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((r, e) -> {
            if (e != null) InferenceCodec.fail(message, e);
            else message.reply(InferenceCodec.rerankResult(r));
        });
    }

    /** Unregisters every consumer, so the cluster stops routing batches here before the runtimes close. */
    @Override
    public Future<?> stop() {
        return Future.all(consumers.stream().map(MessageConsumer::unregister).toList());
    }
}
