package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live-search latency under typing: 32 WebSocket clients (the JDK's) type XQuAD-ru questions one
 * character every ~100 ms (each keystroke a query with a newer id, which cancels the one before) into a
 * server holding the 240 XQuAD-ru paragraphs; measured from sending the last keystroke of a question to
 * its {@code candidates} and {@code final} messages, p50/p99, without a reranker and with the bench
 * cross-encoder (top_n 20 by default).
 * <p>{@code mvn -o -pl modules/server test -Dtest=LiveSearchLatencyBench -Dsurefire.excludedGroups=none
 * [-Dbench.clients=32 -Dbench.questions=3 -Dbench.top_n=20 -Dbench.keystroke_ms=100]}
 */
@Tag("bench")
@Tag("model")
class LiveSearchLatencyBench {
    @TempDir
    Path dir;

    record Sample(double candidatesMs, double finalMs, boolean complete) {
    }

    @Test
    void lastKeystrokeToCandidatesAndFinal() throws Exception {
        BenchSetup.Corpus corpus = BenchSetup.xquad();
        Path models = BenchSetup.modelsDir(dir);
        int clients = Integer.getInteger("bench.clients", 32);
        int questions = Integer.getInteger("bench.questions", 3);
        int topN = Integer.getInteger("bench.top_n", 20);
        long keystrokeMs = Long.getLong("bench.keystroke_ms", 100);
        StringBuilder out = new StringBuilder(String.format("%d WebSocket clients, %d questions each, a keystroke every ~%d ms,"
                + " k=10, 240 XQuAD-ru paragraphs%n", clients, questions, keystrokeMs));
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir.resolve("data"), Map.of("models_dir", models.toString())))) {
            ApiClient api = new ApiClient(server.port());
            BenchSetup.index(api, "xquad", corpus.paragraphs());
            // warm both models so the first keystrokes do not measure loading
            api.post("/collections/xquad/search", ApiClient.json(BenchSetup.searchBody("разогрев", 10, topN)));
            for (Integer rerank : new Integer[]{null, topN}) {
                List<Sample> samples = run(server.port(), corpus.questions(), clients, questions, keystrokeMs, rerank);
                List<Double> candidates = new ArrayList<>();
                List<Double> finals = new ArrayList<>();
                int incomplete = 0;
                for (Sample s : samples) {
                    if (!Double.isNaN(s.candidatesMs())) candidates.add(s.candidatesMs());
                    finals.add(s.finalMs());
                    if (!s.complete()) incomplete++;
                }
                String label = rerank == null ? "no reranker" : "reranker " + BenchSetup.CROSS_ENCODER + " top_n=" + rerank;
                out.append(String.format("%s: %d questions answered of %d; last keystroke -> candidates p50 %s p99 %s;"
                                + " -> final p50 %.0f ms p99 %.0f ms%s%n", label, samples.size(), clients * questions,
                        rerank == null ? "n/a (no candidates phase)" : String.format("%.0f ms", BenchSetup.percentile(candidates, 0.5)),
                        rerank == null ? "n/a" : String.format("%.0f ms", BenchSetup.percentile(candidates, 0.99)),
                        BenchSetup.percentile(finals, 0.5), BenchSetup.percentile(finals, 0.99),
                        rerank == null ? "" : String.format("; finals cut short by rerank.budget_ms: %d", incomplete)));
                assertThat(samples).as("answered questions").isNotEmpty();
                System.out.print(out); // each configuration's line as soon as it exists
                out.setLength(0);
            }
            out.append("live stats: ").append(ApiClient.json(server.liveStats().snapshot())).append('\n');
        }
        BenchSetup.report("LiveSearchLatencyBench", out.toString());
    }

    /** All clients type at once; returns one sample per question whose final arrived. */
    private static List<Sample> run(int port, List<String> allQuestions, int clients, int questions, long keystrokeMs,
                                    Integer rerank) throws Exception {
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failures = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofPlatform().name("typist-" + c).start(() -> {
                Random random = new Random(client);
                try (LiveSearchClient ws = new LiveSearchClient(port)) {
                    Thread.sleep(random.nextInt((int) keystrokeMs * 5)); // clients do not start in lockstep
                    long id = 0;
                    for (int q = 0; q < questions; q++) {
                        String question = allQuestions.get((client * questions + q) * 11 % allQuestions.size());
                        long lastSent = 0;
                        for (int len = 1; len <= question.length(); len++) {
                            id++;
                            Map<String, Object> m = new LinkedHashMap<>(BenchSetup.searchBody(question.substring(0, len), 10, rerank));
                            m.put("id", id);
                            m.put("collection", "xquad");
                            lastSent = System.nanoTime();
                            ws.send(ApiClient.json(m));
                            if (len < question.length()) Thread.sleep(keystrokeMs / 2 + random.nextInt((int) keystrokeMs));
                        }
                        long last = id;
                        JsonNode fin = ws.await(msg -> msg.path("id").asLong() == last
                                && (msg.path("phase").asText().equals("final") || msg.path("phase").asText().equals("error")), 60_000);
                        if (fin.path("phase").asText().equals("error")) {
                            failures.incrementAndGet();
                            continue;
                        }
                        double candidatesMs = Double.NaN;
                        List<JsonNode> messages = List.copyOf(ws.messages);
                        List<Long> received = List.copyOf(ws.receivedNanos);
                        double finalMs = Double.NaN;
                        for (int i = 0; i < Math.min(messages.size(), received.size()); i++) {
                            JsonNode msg = messages.get(i);
                            if (msg.path("id").asLong() != last) continue;
                            double ms = (received.get(i) - lastSent) / 1e6;
                            if (msg.path("phase").asText().equals("candidates")) candidatesMs = ms;
                            if (msg.path("phase").asText().equals("final")) finalMs = ms;
                        }
                        samples.add(new Sample(candidatesMs, finalMs, !fin.has("rerank") || fin.path("rerank").path("complete").asBoolean()));
                        Thread.sleep(500 + random.nextInt(500)); // reading the results before the next question
                    }
                } catch (Exception | AssertionError e) {
                    failures.incrementAndGet();
                    System.err.println("typist " + client + " failed: " + e);
                }
            }));
        }
        for (Thread t : threads) t.join();
        if (failures.get() > 0) System.err.println(failures.get() + " questions failed or got an error");
        return samples;
    }
}
