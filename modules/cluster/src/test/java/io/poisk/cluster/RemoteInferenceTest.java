package io.poisk.cluster;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import io.poisk.engine.EmbeddingRuntime;
import io.poisk.engine.LocalInference;
import io.poisk.engine.RerankRuntime;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.ModelRegistry;
import io.poisk.models.RerankResult;
import io.poisk.models.RerankerCard;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The serving side ({@link RemoteInference}) against the worker side ({@link InferenceWorkerVerticle}) on one
 * process's event bus: the same messages a cluster carries, without Hazelcast (the process test has it).
 */
class RemoteInferenceTest {
    private static final Path MODELS = Path.of(System.getProperty("poisk.models.dir", "../../index-data/models"));
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void deploy(Map<String, EmbeddingRuntime> embedders, Map<String, RerankRuntime> rerankers) throws Exception {
        vertx.deployVerticle(new InferenceWorkerVerticle(embedders, rerankers), new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private RemoteInference remote(PoiskConfig config) {
        return new RemoteInference(new InferenceClient(vertx, 5_000, 2_000), config, null);
    }

    @Test
    @Tag("model")
    void remoteVectorsAreTheLocalOnesBitForBitAndPassagesAreCutWithTheSameTokenizer() throws Exception {
        PoiskConfig config = PoiskConfig.defaults();
        try (ModelRegistry workerModels = new ModelRegistry(MODELS); ModelRegistry servingModels = new ModelRegistry(MODELS)) {
            EmbeddingRuntime local = new LocalInference(config, new SimpleMeterRegistry()).embedding(workerModels, "e5-small-v2");
            deploy(Map.of("e5-small-v2", local), Map.of());
            EmbeddingRuntime remote = remote(config).embedding(servingModels, "e5-small-v2");
            List<String> texts = List.of("Cats sleep most of the day.", "Кошки спят большую часть дня.", "");
            float[][] here = local.submit(texts, EmbeddingRole.PASSAGE, null).get(60, TimeUnit.SECONDS);
            float[][] there = remote.submit(texts, EmbeddingRole.PASSAGE, null).get(60, TimeUnit.SECONDS);
            assertThat(there).hasDimensions(3, 384);
            for (int i = 0; i < 3; i++) assertThat(there[i]).containsExactly(here[i]);
            assertThat(remote.splitter().window()).isEqualTo(local.splitter().window());
            assertThat(remote.stats().texts()).isEqualTo(3);
            remote.close();
            local.close();
        }
    }

    @Test
    void moreTextsInFlightThanTheQueueHoldsAre429AtOnce() {
        PoiskConfig config = PoiskConfig.defaults().with(Map.of("embedding.queue_capacity", "4"));
        try (ModelRegistry models = new ModelRegistry(MODELS)) { // cards only: no weights are loaded on this side
            EmbeddingRuntime remote = remote(config).embedding(models, "e5-small-v2");
            CompletableFuture<float[][]> tooMany = remote.submit(List.of("a", "b", "c", "d", "e"), EmbeddingRole.QUERY, null);
            assertThatThrownBy(() -> tooMany.get(1, TimeUnit.SECONDS)).cause().isInstanceOf(PoiskException.class)
                    .satisfies(e -> assertThat(((PoiskException) e).code()).isEqualTo(ErrorCode.OVERLOADED));
            assertThat(remote.stats().rejected()).isEqualTo(1);
        }
    }

    @Test
    void rerankResultsAndAWorkersVerdictComeBackAsTheyWere(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("ce"));
        Files.writeString(folder.resolve("model.pt"), "");
        Files.writeString(folder.resolve("tokenizer.json"), "{}");
        Files.writeString(folder.resolve("card.json"), """
                {"id": "ce", "kind": "cross_encoder", "artifact": "model.pt", "engine": "pytorch", "tokenizer": "tokenizer.json",
                 "max_length": 64, "pooling": "cls", "dimension": 1, "normalize": true, "padding_side": "right",
                 "query_template": "{text}", "passage_template": "{text}", "instruction_template": "{text} {instruction}",
                 "inputs": ["input_ids", "attention_mask", "token_type_ids"]}""");
        try (ModelRegistry models = new ModelRegistry(dir)) {
            RerankerCard card = (RerankerCard) models.card("ce");
            deploy(Map.of(), Map.of("ce", new LengthReranker(card)));
            RerankRuntime remote = remote(PoiskConfig.defaults()).rerank(models, "ce");
            RerankResult r = remote.rerank("q", null, List.of("bb", "dddd", "a"), Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
            assertThat(r.order()).containsExactly(1, 0, 2);
            assertThat(r.scores()).containsExactly(2f, 4f, 1f);
            assertThat(r.complete()).isTrue();
            CompletableFuture<RerankResult> refused = remote.rerank("refuse", null, List.of("x"), Duration.ofSeconds(2));
            assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(PoiskException.class)
                    .hasMessage("no such query").satisfies(e -> assertThat(((PoiskException) e).code()).isEqualTo(ErrorCode.INVALID_QUERY));
        }
    }

    /** A reranker stand-in: a document's score is its length; the query "refuse" is refused as an invalid query. */
    private record LengthReranker(RerankerCard card) implements RerankRuntime {
        @Override
        public CompletableFuture<RerankResult> rerank(String query, String instruction, List<String> documents, Duration budget) {
            if (query.equals("refuse")) return CompletableFuture.failedFuture(new PoiskException(ErrorCode.INVALID_QUERY, "no such query"));
            int n = documents.size();
            float[] scores = new float[n];
            boolean[] scored = new boolean[n];
            for (int i = 0; i < n; i++) {
                scores[i] = documents.get(i).length();
                scored[i] = true;
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
            return CompletableFuture.completedFuture(new RerankResult(java.util.Arrays.stream(order).mapToInt(Integer::intValue).toArray(),
                    scores, scored, true));
        }

        @Override
        public void close() {
        }
    }
}
