package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path a user takes with a downloaded model: make_tiny_models.py saves random models as Hugging Face folders
 * (config.json, model.safetensors, tokenizer.json, tokenizer_config.json; a PEFT LoRA adapter folder over a saved
 * base; a Mistral whose class lives in the folder's own modelling code) and exports them with export.py's command
 * line in a subprocess (ids ending in -cli, --trust-remote-code for the custom-code one). The exported cards,
 * served by the real registry, must reproduce the Python reference of the in-memory model they were saved from.
 */
@Tag("model")
class CliExportedModelsTest {
    private static final Logger log = LoggerFactory.getLogger(CliExportedModelsTest.class);
    /** A merged adapter moves these random models' vectors far more than this; an unmerged one does not at all. */
    private static final double MIN_LORA_EFFECT = 0.01;
    /**
     * Measured 0.9994 at worst for the int8 tiny BERT (Java, against the fp32 reference); this random model's vectors
     * of different texts are 0.987 apart at most, so a wrong or swapped vector fails this bound too.
     */
    private static final double MIN_INT8_COSINE = 0.995;
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
    @ValueSource(strings = {"tiny-bert-mean-cli", "tiny-qwen3-promptriever-cli", "tiny-mistral-nv-retriever-cli"})
    void cliExportedEmbedderMatchesTheSavedModel(String id) throws Exception {
        JsonNode reference = TinyModels.model(id);
        assertThat(reference.get("export_command").asText()).startsWith("export.py --model _work/hf/");
        Embedder embedder = registry.embedder(id);
        assertThat(embedder.card().engine()).isEqualTo(ModelEngine.PYTORCH);
        double worst = TinyReferenceChecks.assertEmbedderMatches(embedder, reference.get("cases"), id);
        log.info("{}: max |Java - Python| = {}", id, worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert-cross-encoder-cli", "tiny-qwen3-reranker-cli"})
    void cliExportedRerankerMatchesTheSavedModel(String id) throws Exception {
        JsonNode reference = TinyModels.model(id);
        assertThat(reference.get("export_command").asText()).startsWith("export.py --model _work/hf/");
        double worst = TinyReferenceChecks.assertRerankerMatches(registry.reranker(id), reference.get("cases"), id);
        log.info("{}: max |Java - Python| = {}", id, worst);
    }

    /**
     * export.py --quantize int8 on the saved BERT folder: an int8 ONNX model (dynamic quantization, per-channel MatMul
     * weights), served by the registry on ONNX Runtime, against the fp32 in-memory model's reference. Not an exact
     * match: every vector within {@link #MIN_INT8_COSINE} of its fp32 reference, nearer its own than any other text's
     * reference, and not equal to it (the weights really are int8).
     */
    @Test
    void int8ExportIsServedOnOnnxRuntimeCloseToTheFp32Model() throws Exception {
        String id = "tiny-bert-mean-int8-cli";
        JsonNode reference = TinyModels.model(id);
        assertThat(reference.get("export_command").asText()).startsWith("export.py --model _work/hf/tiny-bert-mean ")
                .endsWith("--quantize int8");
        Embedder embedder = registry.embedder(id);
        assertThat(embedder.card().engine()).isEqualTo(ModelEngine.ONNX);
        assertThat(embedder.card().artifact()).isEqualTo("model.onnx");
        String graph = new String(Files.readAllBytes(embedder.card().artifactPath()), StandardCharsets.ISO_8859_1);
        assertThat(graph).as("int8 MatMuls in the ONNX graph").contains("MatMulInteger").contains("DynamicQuantizeLinear");
        double worst = 1, nearestOther = -1, largestDiff = 0;
        int compared = 0;
        for (JsonNode c : reference.get("cases")) {
            List<String> texts = TinyModels.strings(c.get("texts"));
            EmbeddingRole role = TinyReferenceChecks.role(c);
            float[][] batched = embedder.embed(texts, role, TinyReferenceChecks.instruction(c));
            for (int i = 0; i < texts.size(); i++) {
                float[] single = embedder.embed(List.of(texts.get(i)), role, TinyReferenceChecks.instruction(c))[0];
                for (float[] v : List.of(batched[i], single)) {
                    worst = Math.min(worst, cosine(v, TinyModels.floats(c.get("batched").get(i))));
                    largestDiff = Math.max(largestDiff, TinyReferenceChecks.maxAbsDiff(v, TinyModels.floats(c.get("batched").get(i))));
                    for (int j = 0; j < texts.size(); j++) {
                        if (j != i) nearestOther = Math.max(nearestOther, cosine(v, TinyModels.floats(c.get("batched").get(j))));
                    }
                    compared++;
                }
            }
        }
        log.info("{}: {} vectors, worst cosine(int8, fp32 reference) {}, nearest other text's reference {}, max |diff| {}",
                id, compared, worst, nearestOther, largestDiff);
        assertThat(compared).isGreaterThanOrEqualTo(16);
        assertThat(worst).as("cosine of the int8 vectors to their fp32 reference").isGreaterThanOrEqualTo(MIN_INT8_COSINE);
        assertThat(worst).as("each int8 vector is nearer its own text's reference than any other's").isGreaterThan(nearestOther);
        assertThat(largestDiff).as("the int8 model is not the fp32 one").isGreaterThan(TinyReferenceChecks.TOLERANCE);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int d = 0; d < a.length; d++) {
            dot += (double) a[d] * b[d];
            na += (double) a[d] * a[d];
            nb += (double) b[d] * b[d];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void theAdapterFolderIsMergedIntoTheSavedBase() throws Exception {
        String id = "tiny-qwen3-promptriever-cli";
        JsonNode reference = TinyModels.model(id);
        assertThat(reference.get("export_command").asText()).contains("--adapter _work/tiny-qwen3-promptriever-adapter");
        assertThat(reference.get("lora_pairs_merged").asInt()).isEqualTo(4);  // q_proj and v_proj of 2 layers
        Embedder embedder = registry.embedder(id);
        double smallestEffect = Double.MAX_VALUE;
        int compared = 0;
        for (JsonNode c : reference.get("cases_without_adapter")) {
            List<String> texts = TinyModels.strings(c.get("texts"));
            float[][] vectors = embedder.embed(texts, TinyReferenceChecks.role(c), TinyReferenceChecks.instruction(c));
            for (int i = 0; i < texts.size(); i++) {
                smallestEffect = Math.min(smallestEffect, TinyReferenceChecks.maxAbsDiff(vectors[i], TinyModels.floats(c.get("batched").get(i))));
                compared++;
            }
        }
        log.info("{}: smallest max |merged - base without adapter| over {} texts = {}", id, compared, smallestEffect);
        assertThat(compared).isGreaterThanOrEqualTo(8);
        assertThat(smallestEffect).as("every vector must move once the adapter is merged").isGreaterThan(MIN_LORA_EFFECT);
    }

    @Test
    void aFolderWithItsOwnModellingCodeIsExportedWithTrustRemoteCode() throws Exception {
        // the saved folder's architecture exists only in its modeling_tiny_nv.py (auto_map), as NV-Retriever-v1's
        assertThat(TinyModels.folder().resolve("_work/hf/tiny-mistral-nv-retriever/modeling_tiny_nv.py")).isRegularFile();
        assertThat(TinyModels.model("tiny-mistral-nv-retriever-cli").get("export_command").asText()).endsWith("--trust-remote-code");
        assertThat(registry.card("tiny-mistral-nv-retriever-cli")).isInstanceOfSatisfying(EmbedderCard.class,
                card -> assertThat(card.pooling()).isEqualTo(Pooling.PREFIX_MEAN));
    }

    @Test
    void exportRefusesAFolderWithoutTokenizerJsonAndSaysHowToMakeOne() throws Exception {
        String message = String.join("\n", TinyModels.strings(TinyModels.reference().get("missing_tokenizer_message")));
        assertThat(message).contains("no tokenizer.json in").contains("AutoTokenizer.from_pretrained").contains("save_pretrained")
                .contains("--tokenizer FILE");
    }
}
