package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Added latency of reranking per query, over HTTP, for top_n = 20, 50, 100: a 12-layer, 384-hidden
 * cross-encoder (MiniLM-L12 size) over the 240 XQuAD-ru paragraphs, queries one at a time, each query run
 * without a reranker and then with each top_n, so drift in the machine's load hits all alike.
 * <p>{@code mvn -o -pl modules/server test -Dtest=RerankCostBench -Dsurefire.excludedGroups=none [-Dbench.queries=20]}
 */
@Tag("bench")
@Tag("model")
class RerankCostBench {
    static final List<Integer> TOP_N = List.of(20, 50, 100);

    @TempDir
    Path dir;

    @Test
    void addedLatencyPerQuery() throws Exception {
        BenchSetup.Corpus corpus = BenchSetup.xquad();
        Path models = BenchSetup.modelsDir(dir);
        int queries = Integer.getInteger("bench.queries", 20);
        int warmUp = 3;
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir.resolve("data"), Map.of("models_dir", models.toString(),
                "rerank.budget_ms", "600000")))) {
            ApiClient api = new ApiClient(server.port());
            BenchSetup.index(api, "xquad", corpus.paragraphs());
            Map<Integer, List<Double>> totalMs = new LinkedHashMap<>();
            Map<Integer, List<Double>> rerankMs = new LinkedHashMap<>();
            List<Integer> configs = new ArrayList<>();
            configs.add(0);
            configs.addAll(TOP_N);
            for (int c : configs) {
                totalMs.put(c, new ArrayList<>());
                rerankMs.put(c, new ArrayList<>());
            }
            for (int q = 0; q < warmUp + queries; q++) {
                String question = corpus.questions().get(q * 7 % corpus.questions().size());
                for (int topN : configs) {
                    long t0 = System.nanoTime();
                    var reply = api.post("/collections/xquad/search", ApiClient.json(BenchSetup.searchBody(question, 10, topN == 0 ? null : topN)));
                    double ms = (System.nanoTime() - t0) / 1e6;
                    assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
                    if (q < warmUp) continue;
                    totalMs.get(topN).add(ms);
                    if (topN > 0) {
                        JsonNode rerank = reply.body().path("rerank");
                        assertThat(rerank.path("complete").asBoolean()).isTrue();
                        assertThat(rerank.path("scored").asInt()).isEqualTo(topN);
                        rerankMs.get(topN).add(rerank.path("took_ms").asDouble());
                    }
                }
            }
            double base = BenchSetup.percentile(totalMs.get(0), 0.5);
            StringBuilder out = new StringBuilder(String.format("%d queries (XQuAD-ru questions), k=10, 240 paragraphs, reranker %s"
                    + " (12 layers, 384 hidden, max_length 512), rerank.max_batch=%s, rerank.workers=%s%n",
                    queries, BenchSetup.CROSS_ENCODER, "16", "1"));
            out.append(String.format("no rerank: p50 %.1f ms, p90 %.1f ms per query (HTTP round trip)%n", base,
                    BenchSetup.percentile(totalMs.get(0), 0.9)));
            out.append("top_n | query p50 ms | p90 ms | added p50 ms | rerank stage p50 ms | ms per pair (p50)\n");
            for (int topN : TOP_N) {
                double p50 = BenchSetup.percentile(totalMs.get(topN), 0.5);
                double stage = BenchSetup.percentile(rerankMs.get(topN), 0.5);
                out.append(String.format("%5d | %12.1f | %6.1f | %12.1f | %19.1f | %.2f%n", topN, p50,
                        BenchSetup.percentile(totalMs.get(topN), 0.9), p50 - base, stage, stage / topN));
            }
            BenchSetup.report("RerankCostBench", out.toString());
        }
    }
}
