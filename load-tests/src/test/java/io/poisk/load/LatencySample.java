package io.poisk.load;

import java.util.Arrays;

/**
 * Values recorded from many virtual users (the server's own {@code took_ms}), summarised as
 * percentiles at the end of a run. A fixed array: a run records at most a few hundred thousand.
 */
public final class LatencySample {
    private long[] values = new long[1 << 14];
    private int size;

    public synchronized void record(long value) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = value;
    }

    public synchronized int count() {
        return size;
    }

    /** The nearest-rank percentile ({@code q} in 0..100) of what was recorded; -1 when empty. */
    public synchronized long percentile(double q) {
        if (size == 0) return -1;
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
    }
}
