package io.poisk.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.models.Embedder;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.ModelRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Embedding benchmark: Poisk's embedder (DJL, ONNX Runtime engine and PyTorch engine with the
 * TorchScript export) against sentence-transformers and plain ONNX Runtime in Python
 * ({@code modules/eval/bench/st_embed_bench.py}, launched here as a subprocess), same e5-small-v2
 * weights, same texts (XQuAD-ru paragraphs and questions, as passages), same thread count.
 * Sentences/s at batch 1 and at each larger batch, where a batch is one embed call of that many texts.
 *
 * <p>Options: {@code --texts 400 --batch1-texts 100 --batches 1,8,16,32,64 --threads 2 --model e5-small-v2
 * --models-dir DIR --torchscript-dir modules/models/target/torchscript --peers st,ort --python python3}.
 */
public final class EmbeddingBenchmark {
    private static final Logger log = LoggerFactory.getLogger(EmbeddingBenchmark.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REFERENCE_TEXTS = 16;

    /** Sentences/s of one engine at one batch size. */
    record Throughput(String engine, int batch, int texts, double sentencesPerSecond) {
    }

    private EmbeddingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        String repo = System.getProperty("poisk.repo.dir", ".");
        int threads = a.integer("threads", 2);
        System.setProperty("poisk.inference.threads", Integer.toString(threads)); // read when a model loads
        String model = a.string("model", "e5-small-v2");
        Path modelsDir = Path.of(a.string("models-dir", System.getProperty("poisk.models.dir", repo + "/index-data/models")));
        Path torchscriptDir = Path.of(a.string("torchscript-dir", repo + "/modules/models/target/torchscript"));
        Path cache = Files.createDirectories(Path.of(a.string("cache-dir", repo + "/modules/eval/target/bench-cache")));
        List<Integer> batches = a.integers("batches", "1,8,16,32,64");
        int batch1Texts = a.integer("batch1-texts", 100);
        List<String> texts = xquadTexts(Path.of(a.string("xquad", System.getProperty("poisk.shared.dir", repo + "/../shared")
                + "/data/xquad-ru/xquad.ru.json")), a.integer("texts", 400));
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "# embedding benchmark: %s, %d texts (XQuAD-ru, mean %.0f chars), %d threads, batch 1 over the first %d%n",
                model, texts.size(), texts.stream().mapToInt(String::length).average().orElse(0), threads, batch1Texts);

        List<Throughput> results = new ArrayList<>();
        Path reference = cache.resolve("embed-reference.f32");
        try (ModelRegistry onnx = new ModelRegistry(modelsDir)) {
            Embedder e = onnx.embedder(model);
            VectorFile.write(reference, e.embed(texts.subList(0, Math.min(REFERENCE_TEXTS, texts.size())), EmbeddingRole.PASSAGE, null));
            results.addAll(measure("poisk-onnxruntime", e, texts, batches, batch1Texts));
        }
        if (Files.isDirectory(torchscriptDir.resolve(model))) {
            try (ModelRegistry pt = new ModelRegistry(torchscriptDir)) {
                results.addAll(measure("poisk-pytorch", pt.embedder(model), texts, batches, batch1Texts));
            }
        } else {
            out.println("# no TorchScript export at " + torchscriptDir.resolve(model)
                    + " (ops/models/export_torchscript.py --out that folder); poisk-pytorch skipped");
        }
        Path textFile = cache.resolve("embed-texts.jsonl");
        List<String> lines = new ArrayList<>();
        for (String t : texts) lines.add(JSON.writeValueAsString(t));
        Files.write(textFile, lines, StandardCharsets.UTF_8);
        results.addAll(runPythonPeers(a, repo, textFile, reference, batches, batch1Texts, threads, modelsDir.resolve(model), out));
        print(out, results, batches);
    }

    /** Paragraphs, each followed by its questions, in file order: a mix of long and short texts. */
    static List<String> xquadTexts(Path file, int limit) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode article : JSON.readTree(file.toFile()).path("data")) {
            for (JsonNode paragraph : article.path("paragraphs")) {
                out.add(paragraph.path("context").asText());
                for (JsonNode qa : paragraph.path("qas")) out.add(qa.path("question").asText());
                if (out.size() >= limit) return out.subList(0, limit);
            }
        }
        return out;
    }

    static List<Throughput> measure(String engine, Embedder embedder, List<String> texts, List<Integer> batches, int batch1Texts) {
        List<Throughput> out = new ArrayList<>();
        for (int batch : batches) {
            List<String> subset = batch == 1 ? texts.subList(0, Math.min(batch1Texts, texts.size())) : texts;
            embedder.embed(subset.subList(0, Math.min(subset.size(), Math.max(batch, 8))), EmbeddingRole.PASSAGE, null); // warm-up
            long t0 = System.nanoTime();
            for (int i = 0; i < subset.size(); i += batch) {
                embedder.embed(subset.subList(i, Math.min(subset.size(), i + batch)), EmbeddingRole.PASSAGE, null);
            }
            double rate = subset.size() / ((System.nanoTime() - t0) / 1e9);
            log.info("{} batch {}: {} sentences/s", engine, batch, String.format(Locale.ROOT, "%.1f", rate));
            out.add(new Throughput(engine, batch, subset.size(), rate));
        }
        return out;
    }

    private static List<Throughput> runPythonPeers(BenchArgs a, String repo, Path textFile, Path reference, List<Integer> batches,
                                                   int batch1Texts, int threads, Path modelDir, PrintStream out)
            throws IOException, InterruptedException {
        List<String> cmd = List.of(a.string("python", "python3"),
                a.string("peer-script", repo + "/modules/eval/bench/st_embed_bench.py"),
                "--texts", textFile.toString(), "--batches", String.join(",", batches.stream().map(String::valueOf).toList()),
                "--batch1-texts", Integer.toString(batch1Texts), "--threads", Integer.toString(threads),
                "--model-dir", modelDir.toString(), "--peers", a.string("peers", "st,ort"), "--reference", reference.toString());
        log.info("python peers: {}", String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("TOKENIZERS_PARALLELISM", "false");
        Process p = pb.start();
        List<Throughput> results = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    JsonNode n = JSON.readTree(line.substring(7));
                    results.add(new Throughput(n.path("peer").asText(), n.path("batch").asInt(), n.path("texts").asInt(),
                            n.path("sentences_per_s").asDouble()));
                } else if (line.startsWith("CHECK ")) {
                    out.println("# " + line);
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0) out.println("# python peers exited with status " + rc + "; their results may be missing");
        return results;
    }

    static void print(PrintStream out, List<Throughput> results, List<Integer> batches) {
        Map<String, Map<Integer, Double>> table = new LinkedHashMap<>();
        for (Throughput t : results) table.computeIfAbsent(t.engine(), e -> new LinkedHashMap<>()).put(t.batch(), t.sentencesPerSecond());
        out.printf(Locale.ROOT, "%n%-24s", "sentences/s  batch:");
        for (int b : batches) out.printf(Locale.ROOT, "%9d", b);
        out.printf(Locale.ROOT, "%9s%n", "best");
        for (var row : table.entrySet()) {
            out.printf(Locale.ROOT, "%-24s", row.getKey());
            for (int b : batches) out.printf(Locale.ROOT, "%9.1f", row.getValue().getOrDefault(b, Double.NaN));
            out.printf(Locale.ROOT, "%9.1f%n", best(row.getValue()));
        }
        for (String ours : List.of("poisk-onnxruntime", "poisk-pytorch")) {
            for (String peer : List.of("sentence-transformers", "python-onnxruntime")) {
                Map<Integer, Double> o = table.get(ours), q = table.get(peer);
                if (o == null || q == null) continue;
                out.printf(Locale.ROOT, "ratio %s / %s: batch 1 %.2fx, best batch %.2fx%n", ours, peer,
                        o.getOrDefault(1, Double.NaN) / q.getOrDefault(1, Double.NaN), best(o) / best(q));
            }
        }
    }

    private static double best(Map<Integer, Double> byBatch) {
        return byBatch.entrySet().stream().filter(e -> e.getKey() > 1).mapToDouble(Map.Entry::getValue).max().orElse(Double.NaN);
    }
}
