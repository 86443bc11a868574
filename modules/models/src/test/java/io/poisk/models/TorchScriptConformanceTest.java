package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same weights exported to TorchScript by ops/models/export_torchscript.py give the reference
 * vectors on DJL's PyTorch engine. The export (~10 s) is cached under target/ and redone when missing.
 */
@Tag("model")
@Tag("process")
class TorchScriptConformanceTest {
    private static final Logger log = LoggerFactory.getLogger(TorchScriptConformanceTest.class);

    @Test
    void exportedTorchScriptMatchesTheReference() throws Exception {
        Path exported = Path.of("target", "torchscript", "e5-small-v2").toAbsolutePath();
        if (!Files.isRegularFile(exported.resolve("model.pt")) || !Files.isRegularFile(exported.resolve("card.json"))) {
            export(exported);
        }
        EmbedderCard card = (EmbedderCard) ModelCard.load(exported.resolve("card.json"));
        assertThat(card.engine()).isEqualTo(ModelEngine.PYTORCH);
        assertThat(card.artifact()).isEqualTo("model.pt");
        try (Embedder embedder = DjlEmbedder.open(card)) {
            ConformanceReference.e5SmallV2().assertConforms(embedder);
        }
    }

    private static void export(Path out) throws IOException, InterruptedException {
        assumeTrue(pythonAvailable(), "python3 is not installed; the TorchScript export cannot run");
        Path repo = Path.of(System.getProperty("poisk.repo.dir"));
        Path script = repo.resolve("ops/models/export_torchscript.py");
        Path modelDir = Path.of(System.getProperty("poisk.models.dir"), "e5-small-v2");
        Path logFile = Files.createDirectories(out.getParent()).resolve("export.log");
        Process process = new ProcessBuilder("python3", script.toString(), "--model-dir", modelDir.toString(), "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        boolean finished = process.waitFor(10, TimeUnit.MINUTES);
        if (!finished) process.destroyForcibly();
        String output = Files.readString(logFile);
        log.info("export_torchscript.py:\n{}", output);
        assertThat(finished && process.exitValue() == 0).as("export_torchscript.py failed:\n%s", output).isTrue();
    }

    private static boolean pythonAvailable() {
        try {
            Process p = new ProcessBuilder(List.of("python3", "--version")).redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
