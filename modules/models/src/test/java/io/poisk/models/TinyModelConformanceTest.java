package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every card convention against its reference formula in Python (the models' own usage code, on the
 * eager transformers model): random BERT, DeBERTa, Qwen3 and Mistral models exported by ops/models/export.py,
 * English and Russian inputs, one at a time and batched with padding, to 1e-4.
 */
class TinyModelConformanceTest {
    private static final double TOLERANCE = 1e-4;
    private static ModelRegistry registry;

    @BeforeAll
    static void build() throws Exception {
        registry = new ModelRegistry(TinyModels.folder());
    }

    @AfterAll
    static void close() {
        if (registry != null) registry.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert-mean", "tiny-deberta-cls", "tiny-qwen3-promptriever", "tiny-qwen3-embedding",
            "tiny-mistral-nv-retriever"})
    void embedderMatchesItsReference(String id) throws Exception {
        Embedder embedder = registry.embedder(id);
        JsonNode reference = TinyModels.model(id);
        int compared = 0;
        for (JsonNode c : reference.get("cases")) {
            EmbeddingRole role = EmbeddingRole.valueOf(c.get("role").asText().toUpperCase(Locale.ROOT));
            String instruction = c.get("instruction").isNull() ? null : c.get("instruction").asText();
            List<String> texts = TinyModels.strings(c.get("texts"));
            for (int i = 0; i < texts.size(); i++) {
                float[] single = embedder.embed(List.of(texts.get(i)), role, instruction)[0];
                assertClose(single, TinyModels.floats(c.get("single").get(i)), id + " single " + role + " " + texts.get(i));
                compared++;
            }
            float[][] batched = embedder.embed(texts, role, instruction);
            for (int i = 0; i < texts.size(); i++) {
                assertClose(batched[i], TinyModels.floats(c.get("batched").get(i)), id + " batched " + role + " " + texts.get(i));
                compared++;
            }
        }
        assertThat(compared).isGreaterThanOrEqualTo(16);
        assertThat(embedder.card().dimension()).isEqualTo(TinyModels.floats(reference.get("cases").get(0).get("single").get(0)).length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert-cross-encoder", "tiny-qwen3-reranker", "tiny-mistral-followir"})
    void rerankerMatchesItsReference(String id) throws Exception {
        Reranker reranker = registry.reranker(id);
        for (JsonNode c : TinyModels.model(id).get("cases")) {
            String query = c.get("query").asText();
            String instruction = c.get("instruction").isNull() ? null : c.get("instruction").asText();
            List<String> documents = TinyModels.strings(c.get("documents"));
            float[] expectedSingle = TinyModels.floats(c.get("single"));
            for (int i = 0; i < documents.size(); i++) {
                float single = reranker.score(query, instruction, List.of(documents.get(i)))[0];
                assertThat((double) single).as("%s single %s / %s", id, query, documents.get(i)).isCloseTo(expectedSingle[i], within(TOLERANCE));
            }
            float[] batched = reranker.score(query, instruction, documents);
            float[] expectedBatched = TinyModels.floats(c.get("batched"));
            for (int i = 0; i < documents.size(); i++) {
                assertThat((double) batched[i]).as("%s batched %s / %s", id, query, documents.get(i)).isCloseTo(expectedBatched[i], within(TOLERANCE));
            }
        }
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSize(expected.length);
        List<String> off = new ArrayList<>();
        for (int d = 0; d < expected.length; d++) {
            if (Math.abs(actual[d] - expected[d]) > TOLERANCE) off.add(d + ": " + actual[d] + " vs " + expected[d]);
        }
        assertThat(off).as(what).isEmpty();
    }
}
