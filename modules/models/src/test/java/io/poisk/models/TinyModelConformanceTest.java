package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every card convention against its reference formula in Python (the models' own usage code, on the
 * eager transformers model): random BERT, DeBERTa, Qwen3 and Mistral models exported by ops/models/export.py,
 * English and Russian inputs, one at a time and batched with padding, to 1e-4.
 */
@Tag("model")
class TinyModelConformanceTest {
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
        TinyReferenceChecks.assertEmbedderMatches(embedder, reference.get("cases"), id);
        assertThat(embedder.card().dimension()).isEqualTo(TinyModels.floats(reference.get("cases").get(0).get("single").get(0)).length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert-cross-encoder", "tiny-qwen3-reranker", "tiny-mistral-followir"})
    void rerankerMatchesItsReference(String id) throws Exception {
        TinyReferenceChecks.assertRerankerMatches(registry.reranker(id), TinyModels.model(id).get("cases"), id);
    }
}
