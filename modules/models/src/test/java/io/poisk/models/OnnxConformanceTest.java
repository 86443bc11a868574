package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The provisioned default model on DJL's ONNX Runtime engine gives Python ONNX Runtime's vectors. */
@Tag("model")
class OnnxConformanceTest {
    private static final Logger log = LoggerFactory.getLogger(OnnxConformanceTest.class);
    private static ModelRegistry registry;
    private static Embedder embedder;

    @BeforeAll
    static void load() {
        registry = new ModelRegistry(Path.of(System.getProperty("poisk.models.dir")));
        embedder = registry.embedder("e5-small-v2");
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    @Test
    void matchesPythonOnnxRuntimeSingleAndBatched() throws Exception {
        assertThat(embedder.card().engine()).isEqualTo(ModelEngine.ONNX);
        ConformanceReference.e5SmallV2().assertConforms(embedder);
    }

    @Test
    void mixedLengthBatchKeepsInputOrder() throws Exception {
        ConformanceReference reference = ConformanceReference.e5SmallV2();
        List<ConformanceReference.Case> passages = new ArrayList<>(reference.cases(EmbeddingRole.PASSAGE));
        Collections.reverse(passages); // longest (512 tokens) among the first: the embedder reorders internally
        float[][] vectors = embedder.embed(passages.stream().map(ConformanceReference.Case::text).toList(), EmbeddingRole.PASSAGE, null);
        for (int i = 0; i < passages.size(); i++) {
            assertThat(ConformanceReference.cosine(vectors[i], passages.get(i).embedding())).isGreaterThanOrEqualTo(ConformanceReference.MIN_COSINE);
        }
    }

    @Test
    void rolesAndInstructionsFollowTheCard() {
        float[] query = embedder.embed(List.of("capital of France"), EmbeddingRole.QUERY, null)[0];
        float[] passage = embedder.embed(List.of("capital of France"), EmbeddingRole.PASSAGE, null)[0];
        float[] instructed = embedder.embed(List.of("capital of France"), EmbeddingRole.QUERY, "ignored: e5 takes none")[0];
        assertThat(ConformanceReference.cosine(query, passage)).isLessThan(0.999);
        assertThat(instructed).containsExactly(query);
        assertThat(embedder.embed(List.of(), EmbeddingRole.QUERY, null)).isEmpty();
    }

    /** A first number for the report; the real benchmark lives apart from tests. */
    @Test
    void logsThroughputAtBatchOneAndThirtyTwo() {
        List<String> sentences = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            sentences.add("Sentence number " + i + " about the history of Paris, the capital of France, and its rivers.");
        }
        embedder.embed(sentences, EmbeddingRole.PASSAGE, null); // warm-up
        long start = System.nanoTime();
        int single = 0;
        while (System.nanoTime() - start < 2_000_000_000L) {
            embedder.embed(List.of(sentences.get(single % 32)), EmbeddingRole.PASSAGE, null);
            single++;
        }
        double batchOne = single / ((System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        int batched = 0;
        while (System.nanoTime() - start < 2_000_000_000L) {
            embedder.embed(sentences, EmbeddingRole.PASSAGE, null);
            batched += 32;
        }
        double batchThirtyTwo = batched / ((System.nanoTime() - start) / 1e9);
        log.info("e5-small-v2 on ONNX Runtime (~22 tokens/sentence): {} sentences/s at batch 1, {} sentences/s at batch 32",
                String.format("%.1f", batchOne), String.format("%.1f", batchThirtyTwo));
        assertThat(batchOne).isPositive();
        assertThat(batchThirtyTwo).isPositive();
    }
}
