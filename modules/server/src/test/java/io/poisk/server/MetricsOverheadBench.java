package io.poisk.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the appliance's checks cost: search throughput of two servers in the same run, one with metrics.enabled=true
 * (Prometheus registry, Vert.x HTTP meters with route labels, histograms) and API keys on (every search carries a
 * collection-scoped search key: lookup, scope, collection and rate-limit checks), the other with both off, same
 * corpus (XQuAD-ru), same queries. The query-embedding cache is warmed first, so the measured searches run no inference and the
 * per-request cost of the meters is not hidden behind the model. Rounds alternate on/off so machine load drifts
 * hit both. Access log off in both. Run: see docs/benchmarks.md.
 */
@Tag("bench")
@Tag("model")
class MetricsOverheadBench {
    @TempDir
    Path dir;

    @Test
    void searchThroughputWithAndWithoutMetrics() throws Exception {
        int docs = Integer.getInteger("bench.docs", 96);
        int clients = Integer.getInteger("bench.clients", 4);
        int rounds = Integer.getInteger("bench.rounds", 3);
        long roundMs = Long.getLong("bench.round_ms", 5000);
        BenchSetup.Corpus corpus = BenchSetup.xquad();
        List<String> queries = corpus.questions().subList(0, 64);
        String admin = "pk_bench-admin-0123456789abcdefghij";
        try (PoiskServer on = PoiskServer.start(TestServers.config(dir.resolve("on"), Map.of("metrics.enabled", "true", "log.access", "false",
                "auth.admin_key", admin)));
             PoiskServer off = PoiskServer.start(TestServers.config(dir.resolve("off"), Map.of("metrics.enabled", "false", "log.access", "false")))) {
            ApiClient onAdmin = new ApiClient(on.port(), admin);
            BenchSetup.index(onAdmin, "bench", corpus.paragraphs().subList(0, docs));
            String searchKey = onAdmin.post("/keys", "{\"scope\":\"search\",\"collections\":[\"bench\"]}").body().path("key").asText();
            assertThat(new ApiClient(on.port()).post("/collections/bench/search", json(Map.of("query", "x"))).status()).isEqualTo(401);
            ApiClient offApi = new ApiClient(off.port());
            BenchSetup.index(offApi, "bench", corpus.paragraphs().subList(0, docs));
            List<ApiClient> apis = List.of(new ApiClient(on.port(), searchKey), offApi);
            for (ApiClient api : apis) {
                for (String q : queries) assertThat(api.post("/collections/bench/search", json(Map.of("query", q, "k", 10))).status()).isEqualTo(200);
            }
            assertThat(offApi.get("/metrics").status()).isEqualTo(404);
            double[] total = new double[2];
            StringBuilder perRound = new StringBuilder();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                for (int r = 0; r < rounds; r++) {
                    for (int which : r % 2 == 0 ? new int[]{0, 1} : new int[]{1, 0}) {
                        double qps = round(pool, apis.get(which), queries, clients, roundMs);
                        total[which] += qps;
                        perRound.append(String.format("round %d %s: %.1f searches/s%n", r, which == 0 ? "metrics+keys on " : "metrics+keys off", qps));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            double onQps = total[0] / rounds, offQps = total[1] / rounds;
            BenchSetup.report("metrics-overhead", perRound + String.format(
                    "mean over %d rounds of %d ms, %d clients, %d documents, cached query vectors:%n  metrics+keys on %.1f searches/s, off %.1f searches/s, on/off = %.3f",
                    rounds, roundMs, clients, docs, onQps, offQps, onQps / offQps));
        }
    }

    /** Searches per second of {@code clients} closed-loop clients over {@code ms} milliseconds. */
    private static double round(ExecutorService pool, ApiClient api, List<String> queries, int clients, long ms) throws Exception {
        AtomicInteger done = new AtomicInteger();
        long end = System.nanoTime() + ms * 1_000_000;
        List<Future<?>> running = new ArrayList<>();
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int offset = c * 7;
            running.add(pool.submit(() -> {
                for (int i = offset; System.nanoTime() < end; i++) {
                    ApiClient.Reply reply = api.post("/collections/bench/search", json(Map.of("query", queries.get(i % queries.size()), "k", 10)));
                    assertThat(reply.status()).isEqualTo(200);
                    done.incrementAndGet();
                }
            }));
        }
        for (Future<?> f : running) f.get();
        return done.get() / ((System.nanoTime() - started) / 1e9);
    }
}
