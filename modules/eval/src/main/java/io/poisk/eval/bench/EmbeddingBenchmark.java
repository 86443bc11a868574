package io.poisk.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.models.Embedder;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.InferenceDevice;
import io.poisk.models.InferenceThreads;
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
 * Engines alternate within each of {@code --rounds} rounds; the medians and median per-round ratios close the output.
 *
 * <p>Options: {@code --rounds 3 --texts 400 --batch1-texts 100 --batches 1,8,16,32,64 --threads 2 --model e5-small-v2
 * --int8-model e5-small-v2-q --models-dir DIR --torchscript-dir modules/models/target/torchscript --peers st,ort --python python3}.
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
        InferenceThreads perCall = new InferenceThreads(threads, threads);
        String model = a.string("model", "e5-small-v2");
        Path modelsDir = Path.of(a.string("models-dir", System.getProperty("poisk.models.dir", repo + "/index-data/models")));
        Path torchscriptDir = Path.of(a.string("torchscript-dir", repo + "/modules/models/target/torchscript"));
        Path cache = Files.createDirectories(Path.of(a.string("cache-dir", repo + "/modules/eval/target/bench-cache")));
        List<Integer> batches = a.integers("batches", "1,8,16,32,64");
        int batch1Texts = a.integer("batch1-texts", 100);
        List<String> texts = xquadTexts(Path.of(a.string("xquad", System.getProperty("poisk.data.dir", repo + "/data")
                + "/xquad-ru/xquad.ru.json")), a.integer("texts", 400));
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "# embedding benchmark: %s, %d texts (XQuAD-ru, mean %.0f chars), %d threads, batch 1 over the first %d%n",
                model, texts.size(), texts.stream().mapToInt(String::length).average().orElse(0), threads, batch1Texts);

        // Engines run one after another within a round and rounds repeat, so a change in the machine's load
        // (it is shared) hits every engine alike; ratios are taken within a round, then the median.
        int rounds = a.integer("rounds", 3);
        Path reference = cache.resolve("embed-reference.f32");
        Path textFile = cache.resolve("embed-texts.jsonl");
        List<String> lines = new ArrayList<>();
        for (String t : texts) lines.add(JSON.writeValueAsString(t));
        Files.write(textFile, lines, StandardCharsets.UTF_8);
        List<List<Throughput>> byRound = new ArrayList<>();
        try (ModelRegistry onnx = new ModelRegistry(modelsDir, InferenceDevice.AUTO, perCall);
             ModelRegistry pt = Files.isDirectory(torchscriptDir.resolve(model)) ? new ModelRegistry(torchscriptDir, InferenceDevice.AUTO, perCall) : null) {
            Embedder onnxEmbedder = onnx.embedder(model);
            // the int8 form of the same weights (e.g. e5-small-v2-q), measured in the same rounds against the same peers
            String int8Model = a.string("int8-model", "");
            Embedder int8Embedder = int8Model.isEmpty() ? null : onnx.embedder(int8Model);
            VectorFile.write(reference, onnxEmbedder.embed(texts.subList(0, Math.min(REFERENCE_TEXTS, texts.size())), EmbeddingRole.PASSAGE, null));
            if (pt == null) {
                out.println("# no TorchScript export at " + torchscriptDir.resolve(model)
                        + " (ops/models/export_torchscript.py --out that folder); poisk-pytorch skipped");
            }
            for (int round = 1; round <= rounds; round++) {
                List<Throughput> results = new ArrayList<>();
                results.addAll(measure("poisk-onnxruntime", onnxEmbedder, texts, batches, batch1Texts));
                if (int8Embedder != null) results.addAll(measure("poisk-onnxruntime-int8", int8Embedder, texts, batches, batch1Texts));
                if (pt != null) results.addAll(measure("poisk-pytorch", pt.embedder(model), texts, batches, batch1Texts));
                results.addAll(runPythonPeers(a, repo, textFile, reference, batches, batch1Texts, threads, modelsDir.resolve(model), out));
                out.printf(Locale.ROOT, "%n# round %d of %d%n", round, rounds);
                print(out, results, batches);
                byRound.add(results);
            }
        }
        if (rounds > 1) printMedians(out, byRound, batches);
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
        Map<String, Map<Integer, Double>> table = table(results);
        out.printf(Locale.ROOT, "%n%-24s", "sentences/s  batch:");
        for (int b : batches) out.printf(Locale.ROOT, "%9d", b);
        out.printf(Locale.ROOT, "%9s%n", "best");
        for (var row : table.entrySet()) {
            out.printf(Locale.ROOT, "%-24s", row.getKey());
            for (int b : batches) out.printf(Locale.ROOT, "%9.1f", row.getValue().getOrDefault(b, Double.NaN));
            out.printf(Locale.ROOT, "%9.1f%n", best(row.getValue()));
        }
        for (String[] pair : ratioPairs(table)) {
            Map<Integer, Double> o = table.get(pair[0]), q = table.get(pair[1]);
            out.printf(Locale.ROOT, "ratio %s / %s: batch 1 %.2fx, best batch %.2fx%n", pair[0], pair[1],
                    o.getOrDefault(1, Double.NaN) / q.getOrDefault(1, Double.NaN), best(o) / best(q));
        }
    }

    private static Map<String, Map<Integer, Double>> table(List<Throughput> results) {
        Map<String, Map<Integer, Double>> table = new LinkedHashMap<>();
        for (Throughput t : results) table.computeIfAbsent(t.engine(), e -> new LinkedHashMap<>()).put(t.batch(), t.sentencesPerSecond());
        return table;
    }

    private static List<String[]> ratioPairs(Map<String, Map<Integer, Double>> table) {
        List<String[]> pairs = new ArrayList<>();
        for (String ours : List.of("poisk-onnxruntime", "poisk-onnxruntime-int8", "poisk-pytorch")) {
            for (String peer : List.of("sentence-transformers", "python-onnxruntime")) {
                if (table.containsKey(ours) && table.containsKey(peer)) pairs.add(new String[] {ours, peer});
            }
        }
        if (table.containsKey("poisk-onnxruntime-int8")) pairs.add(new String[] {"poisk-onnxruntime-int8", "poisk-onnxruntime"});
        return pairs;
    }

    /** Median sentences/s per engine and batch over the rounds, and the median of the per-round ratios. */
    static void printMedians(PrintStream out, List<List<Throughput>> byRound, List<Integer> batches) {
        List<Map<String, Map<Integer, Double>>> tables = byRound.stream().map(EmbeddingBenchmark::table).toList();
        List<Throughput> medians = new ArrayList<>();
        for (String engine : tables.getFirst().keySet()) {
            for (int b : batches) {
                List<Double> rates = new ArrayList<>();
                for (var t : tables) {
                    Double r = t.getOrDefault(engine, Map.of()).get(b);
                    if (r != null) rates.add(r);
                }
                if (!rates.isEmpty()) medians.add(new Throughput(engine, b, 0, median(rates)));
            }
        }
        out.printf(Locale.ROOT, "%n# median over %d rounds%n", byRound.size());
        print(out, medians, batches);
        out.println("# median of the per-round ratios:");
        for (String[] pair : ratioPairs(tables.getFirst())) {
            List<Double> one = new ArrayList<>(), bestBatch = new ArrayList<>();
            for (var t : tables) {
                Map<Integer, Double> o = t.get(pair[0]), q = t.get(pair[1]);
                if (o == null || q == null) continue;
                one.add(o.getOrDefault(1, Double.NaN) / q.getOrDefault(1, Double.NaN));
                bestBatch.add(best(o) / best(q));
            }
            out.printf(Locale.ROOT, "median ratio %s / %s: batch 1 %.2fx, best batch %.2fx (per round: %s / %s)%n",
                    pair[0], pair[1], median(one), median(bestBatch), fmt(one), fmt(bestBatch));
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String fmt(List<Double> values) {
        return String.join(" ", values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList());
    }

    private static double best(Map<Integer, Double> byBatch) {
        return byBatch.entrySet().stream().filter(e -> e.getKey() > 1).mapToDouble(Map.Entry::getValue).max().orElse(Double.NaN);
    }
}
