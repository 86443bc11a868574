package io.poisk.index;

import java.util.Arrays;

/**
 * The nodes a graph walk has scored: one bit per node of the graph, cleared node by node after a walk (a query
 * touches a few thousand of them), so a reset costs what the walk visited, not the graph's size. Lucene's
 * SparseFixedBitSet was 7-10% of a query here, JVector's hash set 6-8%. One per walking thread.
 */
final class VisitedNodes {
    private long[] words;
    private int[] touched = new int[1024];
    /** Nodes marked since the last {@link #clear}. */
    int count;

    VisitedNodes(int nodes) {
        words = new long[(nodes + 63) >>> 6];
    }

    /** Makes room for node ids below {@code nodes}: a live graph grows between walks, and during one. */
    void ensureCapacity(int nodes) {
        int needed = (nodes + 63) >>> 6;
        if (needed > words.length) words = Arrays.copyOf(words, Math.max(needed, words.length + (words.length >>> 1)));
    }

    /** Marks a node; whether it was marked already. */
    boolean getAndSet(int node) {
        int w = node >>> 6;
        if (w >= words.length) ensureCapacity(node + 1);
        long mask = 1L << node; // shifts are mod 64
        long word = words[w];
        if ((word & mask) != 0) return true;
        words[w] = word | mask;
        if (count == touched.length) touched = Arrays.copyOf(touched, count * 2);
        touched[count++] = node;
        return false;
    }

    void clear() {
        for (int i = 0; i < count; i++) words[touched[i] >>> 6] = 0;
        count = 0;
    }
}
