package io.poisk.eval;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {

    @Test
    void percentilesUseNearestRank() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) nanos[i] = (100 - i) * 1_000_000L; // 1..100 ms, unsorted
        LatencyPercentiles p = LatencyPercentiles.ofNanos(nanos);
        assertThat(p.p50Ms()).isEqualTo(50.0);
        assertThat(p.p99Ms()).isEqualTo(99.0);
        assertThat(LatencyPercentiles.ofNanos(new long[]{7_000_000L}).p99Ms()).isEqualTo(7.0);
    }

    @Test
    void jsonAndTableCarryTheMetrics() throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>(new RetrievalScores(10, 2, 0.25, 0.5, 0.375, 0.3).asMap(""));
        metrics.put("p-mrr", 4.5);
        EvalReport r = new EvalReport("xquad", "xq", "dense", 10, 2, 3, metrics, 12.5,
                new LatencyPercentiles(3.0, 9.0, 2));
        JsonNode json = DatasetFiles.JSON.readTree(r.toJson());
        assertThat(json.get("ndcg@10").asDouble()).isEqualTo(0.25);
        assertThat(json.get("recall@10").asDouble()).isEqualTo(0.5);
        assertThat(json.get("mrr@10").asDouble()).isEqualTo(0.375);
        assertThat(json.get("map").asDouble()).isEqualTo(0.3);
        assertThat(json.get("p-mrr").asDouble()).isEqualTo(4.5);
        assertThat(json.get("queries").asInt()).isEqualTo(2);
        assertThat(json.get("search_latency_p99_ms").asDouble()).isEqualTo(9.0);
        assertThat(r.toTable()).contains("ndcg@10").contains("0.2500").contains("p-mrr");
    }
}
