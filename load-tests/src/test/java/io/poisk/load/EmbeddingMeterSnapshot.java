package io.poisk.load;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's embedding meters at one instant, read from {@code GET /metrics} (all models summed): batch-size
 * histogram buckets, texts, batches, inference time and queue wait. Two snapshots give what happened between them.
 *
 * @param batchBuckets cumulative count of batches per upper bound {@code le} (1, 2, 4 ... as the server publishes)
 */
record EmbeddingMeterSnapshot(long nanos, TreeMap<Double, Double> batchBuckets, double batches, double texts,
                              double inferenceSeconds, double inferenceBatches, double queueWaitSeconds, double queueWaits) {
    private static final Pattern SAMPLE = Pattern.compile("^(poisk_embedding_[a-z_]+?)(\\{[^}]*})? ([0-9.eE+-]+|NaN)$");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    static EmbeddingMeterSnapshot parse(long nanos, String metrics) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        Map<String, Double> totals = new java.util.HashMap<>();
        for (String line : metrics.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches() || m.group(3).equals("NaN")) continue;
            double value = Double.parseDouble(m.group(3));
            if (m.group(1).equals("poisk_embedding_batch_size_bucket")) {
                Matcher le = LE.matcher(m.group(2) == null ? "" : m.group(2));
                if (le.find() && !le.group(1).equals("+Inf")) buckets.merge(Double.parseDouble(le.group(1)), value, Double::sum);
            } else {
                totals.merge(m.group(1), value, Double::sum);
            }
        }
        return new EmbeddingMeterSnapshot(nanos, buckets, totals.getOrDefault("poisk_embedding_batch_size_count", 0.0),
                totals.getOrDefault("poisk_embedding_batch_size_sum", 0.0),
                totals.getOrDefault("poisk_embedding_inference_seconds_sum", 0.0),
                totals.getOrDefault("poisk_embedding_inference_seconds_count", 0.0),
                totals.getOrDefault("poisk_embedding_queue_wait_seconds_sum", 0.0),
                totals.getOrDefault("poisk_embedding_queue_wait_seconds_count", 0.0));
    }

    /**
     * What the batcher did from {@code earlier} to this one, on one line: batches, mean batch size, batches per
     * size range, mean inference time per batch and per text, mean queue wait per text, and the inference
     * worker's busy share of the wall time between the snapshots.
     */
    String since(EmbeddingMeterSnapshot earlier) {
        double n = batches - earlier.batches, t = texts - earlier.texts;
        double inf = inferenceSeconds - earlier.inferenceSeconds, infN = inferenceBatches - earlier.inferenceBatches;
        double wait = queueWaitSeconds - earlier.queueWaitSeconds, waitN = queueWaits - earlier.queueWaits;
        double wall = (nanos - earlier.nanos) / 1e9;
        StringBuilder dist = new StringBuilder();
        double below = 0, lower = 0;
        for (Map.Entry<Double, Double> b : batchBuckets.entrySet()) {
            double count = b.getValue() - earlier.batchBuckets.getOrDefault(b.getKey(), 0.0) - below;
            below += count;
            if (count > 0) {
                String range = lower + 1 >= b.getKey() ? fmt(b.getKey()) : fmt(lower + 1) + "-" + fmt(b.getKey());
                dist.append(dist.isEmpty() ? "" : ",").append(range).append(':').append(fmt(count));
            }
            lower = b.getKey();
        }
        return String.format(Locale.ROOT,
                "batches=%.0f texts=%.0f mean_batch=%.2f sizes=%s inference_ms_per_batch=%.1f inference_ms_per_text=%.1f "
                        + "queue_wait_ms=%.1f worker_busy=%.2f",
                n, t, n == 0 ? 0 : t / n, dist.isEmpty() ? "-" : dist, infN == 0 ? 0 : 1000 * inf / infN,
                t == 0 ? 0 : 1000 * inf / t, waitN == 0 ? 0 : 1000 * wait / waitN, wall <= 0 ? 0 : inf / wall);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
