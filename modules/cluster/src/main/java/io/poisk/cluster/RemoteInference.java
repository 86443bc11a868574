package io.poisk.cluster;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import io.poisk.engine.EmbeddingRuntime;
import io.poisk.engine.Inference;
import io.poisk.engine.RerankRuntime;
import io.poisk.models.BatcherStats;
import io.poisk.models.EmbedderCard;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.ModelCard;
import io.poisk.models.ModelRegistry;
import io.poisk.models.PassageSplitter;
import io.poisk.models.RerankResult;
import io.poisk.models.RerankerCard;
import io.vertx.core.buffer.Buffer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Inference on {@code poisk worker} nodes ({@code inference.mode=remote}): a serving node with no model weights
 * loaded and no inference thread. It still reads the model cards (dimension, templates) and, to cut long documents
 * into passages, the model's tokenizer; every embed or rerank goes to {@code poisk.embed.<model>} /
 * {@code poisk.rerank.<model>} through the {@link InferenceClient}. The worker batches requests from every serving
 * node dynamically; this side keeps today's backpressure: at most {@code embedding.queue_capacity} texts in flight
 * per model, more fail at once with 429.
 */
public final class RemoteInference implements Inference {
    private final InferenceClient client;
    private final int maxTextsInFlight;
    /** Who serves which model; null in tests that run without a cluster (then every model counts as served). */
    private final NodeDirectory directory;

    /** Sends over {@code bus}; a member that leaves the cluster makes every request in flight try again at once. */
    public RemoteInference(ClusterBus bus, PoiskConfig config) {
        this(new InferenceClient(bus.vertx(), config.longValue("inference.timeout_ms"), config.longValue("inference.attempt_timeout_ms")),
                config, new NodeDirectory(bus));
        bus.onMemberLeft(client::memberLeft);
    }

    RemoteInference(InferenceClient client, PoiskConfig config, NodeDirectory directory) {
        this.client = client;
        this.maxTextsInFlight = Math.max(1, config.integer("embedding.queue_capacity"));
        this.directory = directory;
    }

    /** Null once a live worker has published that it serves {@code modelId} (the descriptor of a member that left is gone). */
    @Override
    public CompletableFuture<String> unavailable(String modelId) {
        if (directory == null) return CompletableFuture.completedFuture(null);
        return directory.members().map(members -> {
            for (int i = 0; i < members.size(); i++) {
                io.vertx.core.json.JsonObject m = members.getJsonObject(i);
                io.vertx.core.json.JsonArray served = m.getJsonArray("models");
                if ("worker".equals(m.getString("role")) && served != null && served.contains(modelId)) return (String) null;
            }
            return "no poisk worker in the cluster serves model '" + modelId + "' (inference.mode=remote): start one with"
                    + " poisk worker --cluster --join HOST:PORT --models-served " + modelId;
        }).toCompletionStage().toCompletableFuture();
    }

    @Override
    public EmbeddingRuntime embedding(ModelRegistry models, String modelId) {
        ModelCard card = models.card(modelId);
        if (!(card instanceof EmbedderCard embedder)) {
            throw PoiskException.badRequest("model '" + modelId + "' is a " + card.kind() + ", not an embedder");
        }
        return new RemoteEmbedding(embedder, models, client, maxTextsInFlight);
    }

    @Override
    public RerankRuntime rerank(ModelRegistry models, String modelId) {
        if (!(models.card(modelId) instanceof RerankerCard reranker)) {
            throw PoiskException.badRequest("model '" + modelId + "' is an embedder, not a reranker; rerankers: "
                    + models.rerankerCards().stream().map(ModelCard::id).toList());
        }
        return new RemoteRerank(reranker, client);
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("mode", "remote");
        out.putAll(client.stats());
        return out;
    }

    /** One embedding model served by workers; its splitter (a tokenizer, no weights) is made on first use. */
    private static final class RemoteEmbedding implements EmbeddingRuntime {
        private final EmbedderCard card;
        private final ModelRegistry models;
        private final InferenceClient client;
        private final String address;
        private final int maxTextsInFlight;
        private final AtomicInteger textsInFlight = new AtomicInteger();
        private final AtomicLong requests = new AtomicLong(), texts = new AtomicLong(), rejected = new AtomicLong();
        private final AtomicInteger largest = new AtomicInteger();
        private volatile PassageSplitter splitter;

        RemoteEmbedding(EmbedderCard card, ModelRegistry models, InferenceClient client, int maxTextsInFlight) {
            this.card = card;
            this.models = models;
            this.client = client;
            this.address = InferenceWorkerVerticle.embedAddress(card.id());
            this.maxTextsInFlight = maxTextsInFlight;
        }

        @Override
        public EmbedderCard card() {
            return card;
        }

        @Override
        public PassageSplitter splitter() {
            PassageSplitter s = splitter;
            if (s != null) return s;
            synchronized (this) {
                if (splitter == null) splitter = models.splitter(card.id());
                return splitter;
            }
        }

        @Override
        public CompletableFuture<float[][]> submit(List<String> batch, EmbeddingRole role, String instruction) {
            Objects.requireNonNull(role, "role");
            if (batch.isEmpty()) return CompletableFuture.completedFuture(new float[0][]);
            if (batch.stream().anyMatch(Objects::isNull)) {
                return CompletableFuture.failedFuture(PoiskException.badRequest("texts to embed must not be null"));
            }
            int n = batch.size();
            if (textsInFlight.addAndGet(n) > maxTextsInFlight) {
                int now = textsInFlight.addAndGet(-n);
                rejected.incrementAndGet();
                return CompletableFuture.failedFuture(new PoiskException(ErrorCode.OVERLOADED, "remote embedding of '" + card.id()
                        + "' is full (" + now + " of " + maxTextsInFlight + " texts in flight, " + n + " more asked); retry later"));
            }
            CompletableFuture<Buffer> sent;
            try {
                String blank = instruction == null || instruction.isBlank() ? null : instruction; // as the batcher keys it
                sent = client.request(address, "model '" + card.id() + "'", InferenceCodec.embedRequest(batch, role, blank));
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<Buffer> request = sent;
            CompletableFuture<float[][]> vectors = request.thenApply(InferenceCodec::vectors).thenApply(v -> checked(v, n));
            vectors.whenComplete((v, e) -> {
                if (vectors.isCancelled()) request.cancel(false); // a superseded live query: no more attempts
                textsInFlight.addAndGet(-n);
                if (e == null) {
                    requests.incrementAndGet();
                    texts.addAndGet(n);
                    largest.accumulateAndGet(n, Math::max);
                }
            });
            return vectors;
        }

        /** A worker with another model under the same id would answer with the wrong shape: refused, not indexed. */
        private float[][] checked(float[][] vectors, int n) {
            if (vectors.length != n || (n > 0 && vectors[0].length != card.dimension())) {
                throw new PoiskException(ErrorCode.INTERNAL, "inference worker answered " + vectors.length + " vectors of "
                        + (vectors.length == 0 ? 0 : vectors[0].length) + " dimensions for " + n + " texts of model '" + card.id()
                        + "' (dimension " + card.dimension() + ")");
            }
            return vectors;
        }

        @Override
        public BatcherStats stats() {
            // remote requests stand in for batches: the worker batches them further with other nodes' requests
            return new BatcherStats(requests.get(), texts.get(), largest.get(), rejected.get(), textsInFlight.get());
        }

        @Override
        public void close() {
            synchronized (this) {
                if (splitter != null) splitter.close();
            }
        }
    }

    private record RemoteRerank(RerankerCard card, InferenceClient client) implements RerankRuntime {
        @Override
        public CompletableFuture<RerankResult> rerank(String query, String instruction, List<String> documents, Duration budget) {
            try {
                return client.request(InferenceWorkerVerticle.rerankAddress(card.id()), "reranker '" + card.id() + "'",
                                InferenceCodec.rerankRequest(query, instruction, documents, budget.toMillis()))
                        .thenApply(InferenceCodec::rerankResult);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public void close() {
        }
    }
}
