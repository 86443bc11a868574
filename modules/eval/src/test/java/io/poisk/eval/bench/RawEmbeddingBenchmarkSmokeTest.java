package io.poisk.eval.bench;

import io.poisk.models.Embedder;
import io.poisk.models.EmbedderCard;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.InferenceDevice;
import io.poisk.models.InferenceThreads;
import io.poisk.models.ModelRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keeps capacity.sh's raw peer from rotting: two threads calling the real model at once, as --workers 2 runs it. */
@Tag("model")
class RawEmbeddingBenchmarkSmokeTest {

    @Test
    void twoWorkersEmbedEveryTextAndAFailureReachesTheCaller() throws Exception {
        List<String> questions = EmbeddingBenchmark.xquadTexts(
                Path.of(System.getProperty("poisk.data.dir"), "xquad-ru/xquad.ru.json"), 9).subList(1, 9);
        try (ModelRegistry registry = new ModelRegistry(Path.of(System.getProperty("poisk.models.dir")), InferenceDevice.CPU,
                InferenceThreads.split(2, 1))) {
            Embedder embedder = registry.embedder("e5-small-v2");
            assertThat(RawEmbeddingBenchmark.rate(embedder, questions, 1, EmbeddingRole.QUERY, 2)).isPositive();
            assertThat(RawEmbeddingBenchmark.rate(embedder, questions, 3, EmbeddingRole.QUERY, 2)).isPositive();
            // a call failing on the other worker thread fails the measurement instead of vanishing with that thread
            Embedder failing = new Embedder() {
                @Override
                public EmbedderCard card() {
                    return embedder.card();
                }

                @Override
                public float[][] embed(List<String> texts, EmbeddingRole role, String instruction) {
                    throw new IllegalStateException("model gone");
                }

                @Override
                public void close() {
                }
            };
            assertThatThrownBy(() -> RawEmbeddingBenchmark.rate(failing, questions, 2, EmbeddingRole.QUERY, 2)).hasMessage("model gone");
        }
    }
}
