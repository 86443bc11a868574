package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the benchmarks share: the XQuAD-ru corpus, the bench cross-encoder, percentiles, writing results. */
final class BenchSetup {
    static final String CROSS_ENCODER = "e5-cross-encoder-bench";

    private BenchSetup() {
    }

    /** The 240 XQuAD-ru paragraphs and their questions, from {@code poisk.data.dir} (the vendored data/ folder). */
    record Corpus(List<String> paragraphs, List<String> questions) {
    }

    static Corpus xquad() throws IOException {
        Path file = Path.of(System.getProperty("poisk.data.dir", "data"), "xquad-ru/xquad.ru.json");
        assumeTrue(Files.isRegularFile(file), "XQuAD-ru is not at " + file);
        List<String> paragraphs = new ArrayList<>();
        List<String> questions = new ArrayList<>();
        for (JsonNode article : ApiClient.JSON.readTree(file.toFile()).path("data")) {
            for (JsonNode p : article.path("paragraphs")) {
                paragraphs.add(p.path("context").asText());
                for (JsonNode qa : p.path("qas")) questions.add(qa.path("question").asText());
            }
        }
        return new Corpus(paragraphs, questions);
    }

    /** Indexes the paragraphs as documents p0..p239 into a new collection. */
    static void index(ApiClient api, String collection, List<String> paragraphs) {
        assertThat(api.put("/collections/" + collection, null).status()).isEqualTo(201);
        // in requests of 24, so each stays well inside the client's timeout on a busy machine
        for (int from = 0; from < paragraphs.size(); from += 24) {
            List<Map<String, Object>> docs = new ArrayList<>();
            for (int i = from; i < Math.min(paragraphs.size(), from + 24); i++) docs.add(Map.of("id", "p" + i, "text", paragraphs.get(i)));
            var reply = api.post("/collections/" + collection + "/documents", ApiClient.json(Map.of("documents", docs)));
            assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        }
    }

    /**
     * A models folder holding e5-small-v2 and the bench cross-encoder (e5-small-v2's BERT with a random
     * one-logit head, built once into target/bench-models by src/test/python/e5_cross_encoder.py).
     */
    static Path modelsDir(Path dir) throws IOException, InterruptedException {
        Path built = Path.of("target", "bench-models", CROSS_ENCODER).toAbsolutePath();
        if (!Files.isRegularFile(built.resolve("card.json"))) {
            Files.createDirectories(built.getParent());
            Path log = built.getParent().resolve(CROSS_ENCODER + ".log");
            Process p = new ProcessBuilder("python3", Path.of("src/test/python/e5_cross_encoder.py").toAbsolutePath().toString(),
                    "--out", built.toString(), "--model-dir", TestServers.modelsDir().resolve("e5-small-v2").toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = p.waitFor(10, TimeUnit.MINUTES);
            assumeTrue(finished && p.exitValue() == 0, "building the bench cross-encoder failed (python3 with torch, transformers, onnx?): "
                    + Files.readString(log));
        }
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(models.resolve("e5-small-v2"), TestServers.modelsDir().resolve("e5-small-v2").toAbsolutePath());
        Files.createSymbolicLink(models.resolve(CROSS_ENCODER), built);
        return models;
    }

    /** The q-quantile (0..1) of the values, nearest rank. */
    static double percentile(List<Double> values, double q) {
        if (values.isEmpty()) return Double.NaN;
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** Prints the result and keeps it under target/bench-results/, with the machine's load. */
    static void report(String name, String text) throws IOException {
        String load = Files.isReadable(Path.of("/proc/loadavg")) ? Files.readString(Path.of("/proc/loadavg")).trim() : "?";
        String out = text + "\n(" + Runtime.getRuntime().availableProcessors() + " cores, /proc/loadavg at the end: " + load + ")\n";
        System.out.println("=== " + name + " ===\n" + out);
        Path dir = Files.createDirectories(Path.of("target", "bench-results"));
        Files.writeString(dir.resolve(name + ".txt"), out);
    }

    static Map<String, Object> searchBody(String query, int k, Integer topN) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", query);
        body.put("k", k);
        if (topN != null) body.put("rerank", Map.of("model", CROSS_ENCODER, "top_n", topN));
        return body;
    }
}
