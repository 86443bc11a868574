package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The random conformance models of ops/models/make_tiny_models.py and their Python reference outputs,
 * built once under target/tiny-models/&lt;hash of the scripts&gt; (about 15 s) and reused while the scripts
 * are unchanged.
 */
final class TinyModels {
    private static final Logger log = LoggerFactory.getLogger(TinyModels.class);
    private static Path built;

    private TinyModels() {}

    static synchronized Path folder() throws IOException, InterruptedException {
        if (built != null) return built;
        Path repo = Path.of(System.getProperty("poisk.repo.dir"));
        Path scripts = repo.resolve("ops/models");
        String hash = hash(scripts.resolve("make_tiny_models.py"), scripts.resolve("export.py"), scripts.resolve("quantize.py"));
        Path out = Path.of("target", "tiny-models", hash).toAbsolutePath();
        if (!Files.isRegularFile(out.resolve("reference.json"))) {
            assumeTrue(pythonAvailable(), "python3 is not installed; the tiny conformance models cannot be built");
            Files.createDirectories(out.getParent());
            Path logFile = out.getParent().resolve(hash + ".log");
            Process process = new ProcessBuilder("python3", scripts.resolve("make_tiny_models.py").toString(), "--out", out.toString(),
                    "--encoder-tokenizer", Path.of(System.getProperty("poisk.models.dir"), "e5-small-v2", "tokenizer.json").toString())
                    .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            boolean finished = process.waitFor(10, TimeUnit.MINUTES);
            if (!finished) process.destroyForcibly();
            String output = Files.readString(logFile);
            log.info("make_tiny_models.py:\n{}", output);
            assertThat(finished && process.exitValue() == 0).as("make_tiny_models.py failed:\n%s", output).isTrue();
        }
        built = out;
        return out;
    }

    static JsonNode reference() throws IOException, InterruptedException {
        return new ObjectMapper().readTree(folder().resolve("reference.json").toFile());
    }

    static JsonNode model(String id) throws IOException, InterruptedException {
        for (JsonNode m : reference().get("models")) {
            if (m.get("id").asText().equals(id)) return m;
        }
        throw new AssertionError("no reference for " + id);
    }

    static List<String> strings(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).doubleValue();
        return out;
    }

    private static String hash(Path... files) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path f : files) digest.update(Files.readAllBytes(f));
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean pythonAvailable() {
        try {
            Process p = new ProcessBuilder(List.of("python3", "-c", "import torch, transformers, tokenizers, safetensors, onnx, onnxruntime"))
                    .redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
