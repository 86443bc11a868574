package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("model")
class ModelRegistryTest {
    private static final Path DEFAULT_MODEL = Path.of(System.getProperty("poisk.models.dir"), "e5-small-v2");
    @TempDir Path modelsDir;

    /** A model folder whose weights and tokenizer link to the provisioned default model (no 130 MB copies). */
    private void linkedModel(String folder, String id, String pooling) throws IOException {
        Path dir = Files.createDirectories(modelsDir.resolve(folder));
        Files.createSymbolicLink(dir.resolve("model.onnx"), DEFAULT_MODEL.resolve("model.onnx"));
        Files.createSymbolicLink(dir.resolve("tokenizer.json"), DEFAULT_MODEL.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("card.json"), Files.readString(DEFAULT_MODEL.resolve("card.json"))
                .replace("\"e5-small-v2\"", "\"" + id + "\"").replace("\"mean\"", "\"" + pooling + "\""));
    }

    @Test
    void listsCardsAndNamesTheAvailableOnesForAnUnknownId() throws IOException {
        linkedModel("a", "alpha", "mean");
        linkedModel("b", "beta", "cls");
        Files.createDirectories(modelsDir.resolve("no-card"));
        try (ModelRegistry registry = new ModelRegistry(modelsDir)) {
            assertThat(registry.cards()).extracting(ModelCard::id).containsExactly("alpha", "beta");
            assertThat(registry.card("beta")).isInstanceOfSatisfying(EmbedderCard.class,
                    card -> assertThat(card.pooling()).isEqualTo(Pooling.CLS));
            assertThatThrownBy(() -> registry.card("gamma"))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_MODEL))
                    .hasMessageContaining("unknown model 'gamma'").hasMessageContaining("available: alpha, beta");
            assertThatThrownBy(() -> registry.embedder("gamma")).isInstanceOf(PoiskException.class);
        }
    }

    @Test
    void skipsABrokenCardButSaysWhyWhenAskedForIt() throws IOException {
        linkedModel("good", "good", "mean");
        Path broken = Files.createDirectories(modelsDir.resolve("broken"));
        Files.writeString(broken.resolve("card.json"), "{\"id\": \"broken\", \"engine\": \"onnx\"}");
        try (ModelRegistry registry = new ModelRegistry(modelsDir)) {
            assertThat(registry.cards()).extracting(ModelCard::id).containsExactly("good");
            assertThatThrownBy(() -> registry.card("broken"))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_MODEL))
                    .hasMessageContaining("bad card").hasMessageContaining("'artifact' is required");
        }
    }

    @Test
    void aMissingFolderHasNoModels() {
        try (ModelRegistry registry = new ModelRegistry(modelsDir.resolve("absent"))) {
            assertThat(registry.cards()).isEmpty();
            assertThatThrownBy(() -> registry.card("e5-small-v2")).hasMessageContaining("available: none");
        }
    }

    @Test
    void loadsEachEmbedderOnceAndPoolsPerCard() throws IOException {
        linkedModel("mean", "e5-mean", "mean");
        linkedModel("cls", "e5-cls", "cls");
        try (ModelRegistry registry = new ModelRegistry(modelsDir)) {
            Embedder mean = registry.embedder("e5-mean");
            assertThat(registry.embedder("e5-mean")).isSameAs(mean);
            float[] meanVector = mean.embed(java.util.List.of("capital of France"), EmbeddingRole.QUERY, null)[0];
            float[] clsVector = registry.embedder("e5-cls").embed(java.util.List.of("capital of France"), EmbeddingRole.QUERY, null)[0];
            assertThat(meanVector).hasSize(384);
            assertThat(clsVector).hasSize(384);
            // same weights, different pooling: the card decides
            assertThat(ConformanceReference.cosine(meanVector, clsVector)).isLessThan(0.99);
        }
    }
}
