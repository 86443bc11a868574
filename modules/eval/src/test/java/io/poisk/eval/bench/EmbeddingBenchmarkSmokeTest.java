package io.poisk.eval.bench;

import io.poisk.models.ModelRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the embedding harness from rotting: the real default model on a handful of XQuAD-ru texts. */
@Tag("model")
class EmbeddingBenchmarkSmokeTest {

    @Test
    void measuresThePoiskEmbedderAndPrintsRatios() throws Exception {
        List<String> texts = EmbeddingBenchmark.xquadTexts(
                Path.of(System.getProperty("poisk.data.dir"), "xquad-ru/xquad.ru.json"), 6);
        assertThat(texts).hasSize(6);
        assertThat(texts.getFirst().length()).isGreaterThan(texts.get(1).length()); // a paragraph, then its questions

        List<EmbeddingBenchmark.Throughput> results = new ArrayList<>();
        try (ModelRegistry registry = new ModelRegistry(Path.of(System.getProperty("poisk.models.dir")))) {
            results.addAll(EmbeddingBenchmark.measure("poisk-onnxruntime", registry.embedder("e5-small-v2"), texts, List.of(1, 3), 2));
        }
        assertThat(results).extracting(EmbeddingBenchmark.Throughput::batch).containsExactly(1, 3);
        assertThat(results).extracting(EmbeddingBenchmark.Throughput::texts).containsExactly(2, 6);
        assertThat(results).allSatisfy(t -> assertThat(t.sentencesPerSecond()).isPositive());

        // A peer with made-up rates, only to check the table and the ratio arithmetic.
        results.add(new EmbeddingBenchmark.Throughput("sentence-transformers", 1, 2, results.get(0).sentencesPerSecond() / 2));
        results.add(new EmbeddingBenchmark.Throughput("sentence-transformers", 3, 6, results.get(1).sentencesPerSecond() / 4));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EmbeddingBenchmark.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), results, List.of(1, 3));
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("ratio poisk-onnxruntime / sentence-transformers: batch 1 2.00x, best batch 4.00x");
    }
}
