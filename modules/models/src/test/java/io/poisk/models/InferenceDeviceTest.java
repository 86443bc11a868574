package io.poisk.models;

import ai.djl.engine.Engine;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * inference.device as the engines see it. The CUDA builds are not served to these machines, so a GPU is tested
 * only where the engine sees one; elsewhere {@code gpu} must refuse with a message and {@code cpu} must run.
 */
class InferenceDeviceTest {

    @Test
    void parsesTheThreeValuesAndRefusesOthersByKey() {
        assertThat(InferenceDevice.parse(" GPU ")).isEqualTo(InferenceDevice.GPU);
        assertThat(InferenceDevice.parse("cpu")).isEqualTo(InferenceDevice.CPU);
        assertThat(InferenceDevice.parse("auto")).isEqualTo(InferenceDevice.AUTO);
        assertThatThrownBy(() -> InferenceDevice.parse("cuda:0")).isInstanceOf(PoiskException.class)
                .hasMessageContaining("inference.device must be auto, cpu or gpu");
    }

    @Test
    @Tag("model")
    void gpuIsRefusedWithAMessageWhereTheEngineSeesNoneAndCpuEmbeds() {
        Path models = Path.of(System.getProperty("poisk.models.dir", "../../index-data/models"));
        try (ModelRegistry cpu = new ModelRegistry(models, InferenceDevice.CPU); ModelRegistry gpu = new ModelRegistry(models, InferenceDevice.GPU)) {
            float[][] v = cpu.embedder("e5-small-v2").embed(List.of("hello"), EmbeddingRole.QUERY, null);
            assertThat(v[0]).hasSize(384);
            if (Engine.getEngine("OnnxRuntime").getGpuCount() > 0) {
                assertThat(gpu.embedder("e5-small-v2").embed(List.of("hello"), EmbeddingRole.QUERY, null)[0]).hasSize(384);
            } else {
                assertThatThrownBy(() -> gpu.embedder("e5-small-v2")).isInstanceOf(PoiskException.class)
                        .satisfies(e -> assertThat(((PoiskException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE))
                        .hasMessageContaining("inference.device=gpu").hasMessageContaining("sees no GPU");
            }
        }
    }
}
