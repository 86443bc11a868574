package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The time-budgeted rerank executor in front of the tiny Qwen3-style yes/no reranker. */
@Tag("model")
class RerankExecutorTest {
    private static final List<String> DOCS = List.of("Paris is the capital and most populous city of France.",
            "Париж — столица и крупнейший город Франции.", "Москва основана в 1147 году.", "The CDC protein guideline.",
            "Нормандское завоевание Англии.");
    private static ModelRegistry registry;
    private static Reranker reranker;

    @BeforeAll
    static void load() throws Exception {
        registry = new ModelRegistry(TinyModels.folder());
        reranker = registry.reranker("tiny-qwen3-reranker");
    }

    @AfterAll
    static void close() {
        if (registry != null) registry.close();
    }

    @Test
    void aGenerousBudgetScoresEverythingInBatchesAndOrdersByScore() throws Exception {
        try (RerankExecutor executor = new RerankExecutor(reranker, 2, 1, 8)) {
            RerankResult result = executor.rerank("capital of France", null, DOCS, Duration.ofMinutes(1)).get(60, TimeUnit.SECONDS);
            float[] direct = reranker.score("capital of France", null, DOCS);
            assertThat(result.complete()).isTrue();
            assertThat(result.scoredCount()).isEqualTo(DOCS.size());
            for (int i = 0; i < DOCS.size(); i++) assertThat(result.scores()[i]).isCloseTo(direct[i], org.assertj.core.api.Assertions.within(1e-5f));
            assertThat(result.order()).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
            for (int k = 1; k < DOCS.size(); k++) {
                assertThat(result.scores()[result.order()[k - 1]]).isGreaterThanOrEqualTo(result.scores()[result.order()[k]]);
            }
            assertThat(executor.batches()).isEqualTo(3); // 2 + 2 + 1
            assertThat(executor.cutShort()).isZero();
        }
    }

    @Test
    void aSpentBudgetKeepsFirstStageOrderAndFlagsEveryDocument() throws Exception {
        try (RerankExecutor executor = new RerankExecutor(reranker, 2, 1, 8)) {
            RerankResult result = executor.rerank("capital of France", "prefer Russian", DOCS, Duration.ZERO).get(60, TimeUnit.SECONDS);
            assertThat(result.complete()).isFalse();
            assertThat(result.order()).containsExactly(0, 1, 2, 3, 4);
            assertThat(result.scored()).containsOnly(false);
            assertThat(result.scores()).containsOnly(Float.NaN);
            assertThat(executor.cutShort()).isEqualTo(1);
            assertThat(executor.batches()).isZero();
        }
    }

    @Test
    void aPartlyScoredListPutsTheScoredFirstByScoreThenTheRestAsTheyCame() {
        float[] scores = {0.1f, 0.9f, 0.5f, Float.NaN, Float.NaN};
        assertThat(RerankExecutor.order(scores, 3, 5)).containsExactly(1, 2, 0, 3, 4);
    }

    @Test
    void aClosedExecutorRefusesAsUnavailableNotOverloaded() {
        RerankExecutor executor = new RerankExecutor(reranker, 2, 1, 1);
        executor.close();
        // one rule for every executor: closed is 503 UNAVAILABLE (retrying here will not help), a full queue 429
        assertThatThrownBy(() -> executor.rerank("q", null, DOCS, Duration.ofSeconds(1)).get())
                .cause().isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }

    @Test
    void theRegistryTellsEmbeddersAndRerankersApart() {
        assertThat(registry.rerankerCards()).extracting(ModelCard::id)
                .containsExactlyInAnyOrder("tiny-bert-cross-encoder", "tiny-qwen3-reranker", "tiny-mistral-followir",
                        "tiny-bert-cross-encoder-cli", "tiny-qwen3-reranker-cli");  // -cli: exported through export.py's command line
        assertThat(registry.embedderCards()).extracting(ModelCard::id).contains("tiny-bert-mean", "tiny-qwen3-embedding");
        assertThatThrownBy(() -> registry.reranker("tiny-bert-mean")).hasMessageContaining("is an embedder, not a reranker");
        assertThatThrownBy(() -> registry.embedder("tiny-qwen3-reranker")).hasMessageContaining("not an embedder");
    }
}
