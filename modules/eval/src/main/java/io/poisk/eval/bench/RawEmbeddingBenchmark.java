package io.poisk.eval.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.index.PassageOptions;
import io.poisk.models.Embedder;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.InferenceDevice;
import io.poisk.models.InferenceThreads;
import io.poisk.models.ModelRegistry;
import io.poisk.models.PassageSplitter;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model's raw throughput on the texts a serving run sent, outside the server: the peer of
 * {@code load-tests/capacity.sh}'s HTTP figures. Queries are embedded in the query role in calls of each batch size;
 * documents are split into passages as ingest does (the model's window, 64 tokens of overlap) and their passages
 * embedded in request order, each of {@code --doc-batches} at a time, as the batcher takes them from one ingest request.
 * With {@code --workers 1,2} the texts are embedded by each of those numbers of threads calling the model at once,
 * each taking the next batch and each call on cores / workers intra-op threads, as the server's
 * {@code embedding.workers} run: the model's throughput in that arrangement, so only the serving around the model
 * differs from the server's inference.
 *
 * <p>Options: {@code --queries FILE} and/or {@code --docs FILE} (JSON lines, one string each), {@code --batches
 * 1,2,4,8,16,32}, {@code --doc-batches 2,32}, {@code --workers 1}, {@code --rounds 2}, {@code --model e5-small-v2},
 * {@code --models-dir DIR}. Prints {@code RAW-QUERY} and {@code RAW-DOCS} lines per round and their medians over rounds.
 */
public final class RawEmbeddingBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RawEmbeddingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        String repo = System.getProperty("poisk.repo.dir", ".");
        Path modelsDir = Path.of(a.string("models-dir", System.getProperty("poisk.models.dir", repo + "/index-data/models")));
        String model = a.string("model", "e5-small-v2");
        String queriesFile = a.string("queries", ""), docsFile = a.string("docs", "");
        if (queriesFile.isEmpty() && docsFile.isEmpty()) throw new IllegalArgumentException("give --queries FILE and/or --docs FILE");
        List<Integer> batches = a.integers("batches", "1,2,4,8,16,32");
        List<Integer> docBatches = a.integers("doc-batches", "32");
        List<Integer> workers = a.integers("workers", "1");
        int rounds = a.integer("rounds", 2);
        List<String> queries = queriesFile.isEmpty() ? List.of() : readLines(Path.of(queriesFile));
        List<String> docs = docsFile.isEmpty() ? List.of() : readLines(Path.of(docsFile));
        PrintStream out = System.out;
        // One registry per arrangement: the server splits the cores among its workers (InferenceThreads.split),
        // so w workers each run calls on cores / w intra-op threads.
        List<ModelRegistry> registries = new ArrayList<>();
        try {
            List<Embedder> embedders = new ArrayList<>();
            for (int w : workers) {
                ModelRegistry registry = new ModelRegistry(modelsDir, InferenceDevice.AUTO, InferenceThreads.split(w, 1));
                registries.add(registry);
                embedders.add(registry.embedder(model));
            }
            List<String> passages = passages(embedders.get(0).splitter(), docs);
            out.printf(Locale.ROOT, "# raw embedding: %s, %d queries (mean %.0f chars), %d documents -> %d passages, %d cores, workers %s%n",
                    model, queries.size(), queries.stream().mapToInt(String::length).average().orElse(0), docs.size(), passages.size(),
                    Runtime.getRuntime().availableProcessors(), workers);
            // Unmeasured: the first calls, and the first of each size, pay the JIT's and ONNX Runtime's warm-up
            // (its memory arena grows to the largest batch), which the server paid long before it was measured.
            for (Embedder embedder : embedders) {
                for (int batch : batches) {
                    if (!queries.isEmpty()) embedder.embed(queries.subList(0, Math.min(batch, queries.size())), EmbeddingRole.QUERY, null);
                }
                for (int batch : docBatches) {
                    if (!passages.isEmpty()) embedder.embed(passages.subList(0, Math.min(batch, passages.size())), EmbeddingRole.PASSAGE, null);
                }
            }
            // per (workers, batch size), workers-major
            List<List<Double>> queryRates = new ArrayList<>();
            for (int i = 0; i < workers.size() * batches.size(); i++) queryRates.add(new ArrayList<>());
            List<List<Double>> docRates = new ArrayList<>();
            for (int i = 0; i < workers.size() * docBatches.size(); i++) docRates.add(new ArrayList<>());
            for (int round = 1; round <= rounds; round++) {
                for (int w = 0; w < workers.size(); w++) {
                    Embedder embedder = embedders.get(w);
                    for (int i = 0; i < batches.size() && !queries.isEmpty(); i++) {
                        double rate = rate(embedder, queries, batches.get(i), EmbeddingRole.QUERY, workers.get(w));
                        queryRates.get(w * batches.size() + i).add(rate);
                        out.printf(Locale.ROOT, "RAW-QUERY round=%d batch=%d workers=%d texts=%d per_s=%.2f%n", round, batches.get(i),
                                workers.get(w), queries.size(), rate);
                    }
                    for (int i = 0; i < docBatches.size() && !docs.isEmpty(); i++) {
                        double passagesPerS = rate(embedder, passages, docBatches.get(i), EmbeddingRole.PASSAGE, workers.get(w));
                        double docsPerS = passagesPerS * docs.size() / passages.size();
                        docRates.get(w * docBatches.size() + i).add(docsPerS);
                        out.printf(Locale.ROOT, "RAW-DOCS round=%d batch=%d workers=%d docs=%d passages=%d docs_per_s=%.2f passages_per_s=%.2f%n",
                                round, docBatches.get(i), workers.get(w), docs.size(), passages.size(), docsPerS, passagesPerS);
                    }
                }
            }
            for (int w = 0; w < workers.size(); w++) {
                for (int i = 0; i < batches.size() && !queries.isEmpty(); i++) {
                    List<Double> rates = queryRates.get(w * batches.size() + i);
                    out.printf(Locale.ROOT, "RAW-QUERY median batch=%d per_s=%.2f workers=%d rounds=%s%n", batches.get(i), median(rates),
                            workers.get(w), fmt(rates));
                }
                for (int i = 0; i < docBatches.size() && !docs.isEmpty(); i++) {
                    List<Double> rates = docRates.get(w * docBatches.size() + i);
                    out.printf(Locale.ROOT, "RAW-DOCS median batch=%d docs_per_s=%.2f workers=%d rounds=%s%n", docBatches.get(i),
                            median(rates), workers.get(w), fmt(rates));
                }
            }
        } finally {
            for (ModelRegistry registry : registries) registry.close();
        }
    }

    /** Texts per second embedding {@code texts} in calls of {@code batch}, {@code workers} threads each taking the next call. */
    static double rate(Embedder embedder, List<String> texts, int batch, EmbeddingRole role, int workers) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        Runnable work = () -> {
            try {
                for (int i; (i = next.getAndAdd(batch)) < texts.size(); ) {
                    embedder.embed(texts.subList(i, Math.min(texts.size(), i + batch)), role, null);
                }
            } catch (RuntimeException e) {
                failed.compareAndSet(null, e);
            }
        };
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int w = 1; w < workers; w++) threads.add(Thread.ofPlatform().name("raw-worker-" + w).start(work));
        work.run();
        for (Thread t : threads) t.join();
        if (failed.get() != null) throw failed.get();
        return texts.size() / ((System.nanoTime() - t0) / 1e9);
    }

    /** Every document's passages in order, cut as a default collection cuts them. */
    static List<String> passages(PassageSplitter splitter, List<String> docs) {
        List<String> out = new ArrayList<>();
        for (String doc : docs) {
            for (PassageSplitter.Span s : splitter.split(doc, PassageOptions.DEFAULT.maxTokens(), PassageOptions.DEFAULT.overlapTokens())) out.add(doc.substring(s.start(), s.end()));
        }
        return out;
    }

    private static List<String> readLines(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) out.add(JSON.readValue(line, String.class));
        }
        if (out.isEmpty()) throw new IllegalArgumentException(file + " holds no texts");
        return out;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String fmt(List<Double> values) {
        return String.join("/", values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList());
    }
}
