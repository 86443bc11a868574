package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tiny random rerankers of ops/models/make_tiny_models.py, built by src/test/python/rerank_reference.py
 * under target/tiny-models/&lt;hash of the scripts&gt; (about 15 s, reused while the scripts are unchanged),
 * with their eager models kept so the script can compute reference rankings for any input.
 */
final class TinyRerankers {
    static final String CROSS_ENCODER = "tiny-bert-cross-encoder";
    static final String LLM_RERANKER = "tiny-qwen3-reranker";
    private static final Path SCRIPT = Path.of("src/test/python/rerank_reference.py").toAbsolutePath();
    private static Path built;

    private TinyRerankers() {
    }

    /** The built models folder; skips the calling test when python3 with torch is absent. */
    static synchronized Path folder() throws IOException, InterruptedException {
        if (built != null) return built;
        Path scripts = Path.of(System.getProperty("poisk.repo.dir", "../..")).resolve("ops/models");
        String hash = hash(scripts.resolve("make_tiny_models.py"), scripts.resolve("export.py"), SCRIPT);
        Path out = Path.of("target", "tiny-models", hash).toAbsolutePath();
        if (!Files.isRegularFile(out.resolve("reference.json"))) {
            assumeTrue(pythonAvailable(), "python3 with torch and transformers is not installed; the tiny rerankers cannot be built");
            Files.createDirectories(out.getParent());
            Path log = out.getParent().resolve(hash + ".log");
            Process p = new ProcessBuilder("python3", SCRIPT.toString(), "build", "--out", out.toString(), "--encoder-tokenizer",
                    TestServers.modelsDir().resolve("e5-small-v2").resolve("tokenizer.json").toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = p.waitFor(10, TimeUnit.MINUTES);
            if (!finished) p.destroyForcibly();
            assertThat(finished && p.exitValue() == 0).as("rerank_reference.py build failed:\n%s", Files.readString(log)).isTrue();
        }
        built = out;
        return out;
    }

    /** A models folder under {@code dir} holding the provisioned e5-small-v2 and the given tiny models (symbolic links). */
    static Path modelsDir(Path dir, String... tinyModels) throws IOException, InterruptedException {
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(models.resolve("e5-small-v2"), TestServers.modelsDir().resolve("e5-small-v2").toAbsolutePath());
        for (String id : tinyModels) Files.createSymbolicLink(models.resolve(id), folder().resolve(id));
        return models;
    }

    /** The reference pipeline's scores and order (indices, best first) of documents for (query, instruction). */
    record Reference(List<Double> scores, List<Integer> order) {
    }

    /** One input of the reference pipeline; instruction may be null. */
    record Case(String model, String query, String instruction, List<String> documents) {
    }

    /** The references of all cases, computed in one Python run (loading torch dominates its time). */
    static List<Reference> references(List<Case> cases) throws Exception {
        Path file = Files.createTempFile("rerank-cases", ".json");
        try {
            Files.writeString(file, ApiClient.json(cases.stream().map(c -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", c.model());
                m.put("query", c.query());
                m.put("instruction", c.instruction());
                m.put("documents", c.documents());
                return m;
            }).toList()));
            Process p = new ProcessBuilder("python3", SCRIPT.toString(), "score", "--models", folder().toString(), "--cases",
                    file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0).as("rerank_reference.py score failed: %s", out).isTrue();
            List<Reference> references = new ArrayList<>();
            for (JsonNode json : ApiClient.JSON.readTree(out)) {
                List<Double> scores = new ArrayList<>();
                json.get("scores").forEach(s -> scores.add(s.asDouble()));
                List<Integer> order = new ArrayList<>();
                json.get("order").forEach(i -> order.add(i.asInt()));
                references.add(new Reference(scores, order));
            }
            assertThat(references).hasSize(cases.size());
            return references;
        } finally {
            Files.deleteIfExists(file);
        }
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
            Process p = new ProcessBuilder("python3", "-c", "import torch, transformers, tokenizers, safetensors")
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
