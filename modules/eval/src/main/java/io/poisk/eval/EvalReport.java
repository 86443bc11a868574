package io.poisk.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one evaluation run: the metrics (keys such as {@code ndcg@10}, {@code recall@10},
 * {@code mrr@10}, {@code map}, and {@code p-mrr} for instruction sets), how many queries were judged,
 * indexing throughput and client-observed search latency.
 */
public record EvalReport(String dataset, String collection, String mode, int k, int queries, int documents,
                         Map<String, Double> metrics, double ingestDocsPerSecond, LatencyPercentiles searchLatency) {
    public EvalReport {
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) throw new IllegalArgumentException("no metric '" + name + "'; present: " + metrics.keySet());
        return v;
    }

    public String toJson() {
        ObjectNode o = DatasetFiles.JSON.createObjectNode();
        o.put("dataset", dataset);
        o.put("collection", collection);
        o.put("mode", mode);
        o.put("k", k);
        o.put("queries", queries);
        o.put("documents", documents);
        metrics.forEach((name, v) -> {
            if (v.isNaN()) o.putNull(name);
            else o.put(name, v);
        });
        o.put("ingest_docs_per_s", ingestDocsPerSecond);
        o.put("search_latency_p50_ms", searchLatency.p50Ms());
        o.put("search_latency_p99_ms", searchLatency.p99Ms());
        try {
            return DatasetFiles.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A two-column text table for terminals. */
    public String toTable() {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("dataset", dataset);
        rows.put("collection", collection);
        rows.put("mode", mode);
        rows.put("documents", String.valueOf(documents));
        rows.put("queries", String.valueOf(queries));
        metrics.forEach((name, v) -> rows.put(name, String.format(Locale.ROOT, "%.4f", v)));
        rows.put("ingest docs/s", String.format(Locale.ROOT, "%.1f", ingestDocsPerSecond));
        rows.put("search p50 ms", String.format(Locale.ROOT, "%.1f", searchLatency.p50Ms()));
        rows.put("search p99 ms", String.format(Locale.ROOT, "%.1f", searchLatency.p99Ms()));
        int width = rows.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder sb = new StringBuilder();
        rows.forEach((name, v) -> sb.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", name, v)));
        return sb.toString();
    }
}
