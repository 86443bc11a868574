package io.poisk.index;

import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.util.Bits;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The view of a JVector on-heap graph being built that our walks read while insertions run ({@link GraphInserter}'s
 * own, and the live segment's searches): every node of the graph except those still being inserted, whose neighbour
 * lists are empty or partial. {@link GraphInserter} marks a node {@link #begin} before it joins the graph and
 * {@link #end} once all its edges are in.
 *
 * <p>Why not JVector's concurrent view: it wraps each neighbour list in an iterator that looks up every neighbour's
 * completion time against the view's creation, and that iteration was 31% of a 200k ingest's insertion samples (JFR,
 * session 19). Here a neighbour costs one bit read: one-thread insertion took 0.72-0.87 of JVector's insertion's CPU
 * where it took 0.90-1.01 ({@code GraphBuildBench}), though a 200k ingest over HTTP showed no change beyond its noise,
 * its insertions waiting mostly on the lists' memory, which any reader pays. A node that completes during a walk becomes visible to it, where
 * JVector's view would hide it; it is then also among the insertion's concurrent candidates, and
 * {@link GraphInserter} takes it once. Reading lists with no check at all let walks enter unfinished nodes and
 * left documents unreachable ({@code GraphReachabilityTest}, session 18).
 *
 * <p>Thread-safe. The in-progress bits live in pages of 65,536 nodes that are never copied, so growing the page
 * table cannot lose a bit another thread sets meanwhile.
 */
final class LiveGraphView implements ImmutableGraphIndex.View {
    private static final int PAGE_BITS = 16;
    private static final int PAGE_WORDS = 1 << (PAGE_BITS - 6);

    private final OnHeapGraphIndex graph;
    /** Pages of in-progress bits by {@code node >>> PAGE_BITS}; the table is replaced, under this view's lock, to grow. */
    private volatile AtomicLongArray[] pages = new AtomicLongArray[1];

    LiveGraphView(OnHeapGraphIndex graph) {
        this.graph = graph;
    }

    /** Marks {@code node} in progress: call before it joins the graph. */
    void begin(int node) {
        long b = bit(node);
        page(node).getAndUpdate(word(node), w -> w | b);
    }

    /** Marks {@code node} finished: call once all its edges are in the graph. */
    void end(int node) {
        long b = bit(node);
        page(node).getAndUpdate(word(node), w -> w & ~b);
    }

    /** Whether {@code node} is being inserted; a stale read can only answer true, so a walk skips it. */
    boolean inProgress(int node) {
        AtomicLongArray[] table = pages;
        int p = node >>> PAGE_BITS;
        if (p >= table.length) return false;
        AtomicLongArray page = table[p];
        return page != null && (page.get(word(node)) & bit(node)) != 0;
    }

    private AtomicLongArray page(int node) {
        int p = node >>> PAGE_BITS;
        AtomicLongArray[] table = pages;
        if (p < table.length && table[p] != null) return table[p];
        synchronized (this) {
            table = pages;
            if (p >= table.length) table = Arrays.copyOf(table, Math.max(p + 1, 2 * table.length));
            if (table[p] == null) table[p] = new AtomicLongArray(PAGE_WORDS);
            pages = table; // publishes the new page (and table) before the node can appear in any list
            return table[p];
        }
    }

    private static int word(int node) {
        return (node >>> 6) & (PAGE_WORDS - 1);
    }

    private static long bit(int node) {
        return 1L << (node & 63);
    }

    @Override
    public void processNeighbors(int level, int node, ScoreFunction score, ImmutableGraphIndex.IntMarker visited,
                                 ImmutableGraphIndex.NeighborProcessor processor) {
        for (NodesIterator it = graph.getNeighborsIterator(level, node); it.hasNext(); ) {
            int n = it.nextInt();
            if (!inProgress(n) && visited.mark(n)) processor.process(n, score.similarityTo(n));
        }
    }

    @Override
    public NodesIterator getNeighborsIterator(int level, int node) {
        throw new UnsupportedOperationException("walks read neighbours through processNeighbors");
    }

    @Override
    public int size() {
        return graph.size(0);
    }

    @Override
    public ImmutableGraphIndex.NodeAtLevel entryNode() {
        return graph.entryNode();
    }

    @Override
    public Bits liveNodes() {
        return Bits.ALL;
    }

    @Override
    public int getIdUpperBound() {
        return graph.getIdUpperBound();
    }

    @Override
    public boolean contains(int level, int node) {
        return graph.contains(level, node);
    }

    @Override
    public void close() {
    }
}
