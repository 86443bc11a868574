package io.poisk.models;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the cores are split among concurrent inference workers, and that a one-thread session embeds as the default does. */
class InferenceThreadsTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void splitsTheCoresAmongEachKindsWorkersWithAtLeastOneThreadPerCall() {
        assertThat(InferenceThreads.split(1, 1)).isEqualTo(InferenceThreads.allCores());
        assertThat(InferenceThreads.split(2, 1)).isEqualTo(new InferenceThreads(Math.max(1, CORES / 2), CORES));
        assertThat(InferenceThreads.split(CORES * 4, CORES * 4)).isEqualTo(new InferenceThreads(1, 1));
    }

    @Test
    void refusesZeroWorkersOrThreads() {
        assertThatThrownBy(() -> InferenceThreads.split(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InferenceThreads(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @Tag("model")
    void aOneThreadSessionEmbedsTheSameVectorsAsOneOnEveryCore() {
        Path models = Path.of(System.getProperty("poisk.models.dir", "../../index-data/models"));
        List<String> texts = List.of("Сколько лет Земле?", "query: how old is the Earth", "Москва — столица России.");
        try (ModelRegistry single = new ModelRegistry(models, InferenceDevice.CPU, new InferenceThreads(1, 1));
             ModelRegistry all = new ModelRegistry(models, InferenceDevice.CPU, InferenceThreads.allCores())) {
            float[][] a = single.embedder("e5-small-v2").embed(texts, EmbeddingRole.PASSAGE, null);
            float[][] b = all.embedder("e5-small-v2").embed(texts, EmbeddingRole.PASSAGE, null);
            for (int i = 0; i < texts.size(); i++) {
                double dot = 0;
                for (int d = 0; d < a[i].length; d++) dot += a[i][d] * b[i][d];
                assertThat(dot).as("cosine of text %d", i).isGreaterThan(0.99999);
            }
        }
    }
}
