package io.poisk.eval;

import java.util.Arrays;

/** Nearest-rank percentiles of a set of latencies, in milliseconds. */
public record LatencyPercentiles(double p50Ms, double p99Ms, int samples) {

    public static LatencyPercentiles ofNanos(long[] nanos) {
        if (nanos.length == 0) return new LatencyPercentiles(Double.NaN, Double.NaN, 0);
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new LatencyPercentiles(percentile(sorted, 50) / 1e6, percentile(sorted, 99) / 1e6, sorted.length);
    }

    /** Nearest rank: the smallest value with at least p% of the samples at or below it. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
