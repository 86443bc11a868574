package io.poisk.index;

import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodeQueue;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.BoundedLongHeap;
import io.github.jbellis.jvector.util.GrowableLongHeap;

/**
 * The beam search of one graph layer, as Lucene's {@code HnswGraphSearcher} runs it, for both of our walks
 * ({@link FusedGraphSearch} on disk, {@link OnHeapGraphWalk} in memory): best first from the seeded nodes, a
 * neighbour becoming a candidate only if it would enter the beam, until no candidate can improve the beam.
 *
 * <p>Why not JVector's {@code GraphSearcher}: it pushes every neighbour it scores onto its candidate heap, so the heap
 * grows to thousands of entries per walk; pushing onto it was 24-27% of a query's samples (JFR, sessions 9 and 12).
 * Here the heap stays near the beam's size. The beam also holds nodes scored but not yet expanded, as Lucene's does,
 * where JVector's holds only expanded ones and so explores a little further at a given beam.
 *
 * <p>One per thread, reused by every walk: {@link #start}, {@link #seed} the entry points, {@link #walk}, then read
 * {@link #beam}.
 */
final class LayerBeam {
    /** Nodes to expand, best first. */
    private final NodeQueue candidates = new NodeQueue(new GrowableLongHeap(100), NodeQueue.Order.MAX_HEAP);
    /** The best accepted nodes found, worst on top. */
    private final NodeQueue beam = new NodeQueue(new BoundedLongHeap(100), NodeQueue.Order.MIN_HEAP);
    private final VisitedNodes visited;
    private int width;

    /** {@code nodes}: the graph's node id bound, for the visited set (which grows if a graph does). */
    LayerBeam(int nodes) {
        visited = new VisitedNodes(Math.max(1, nodes));
    }

    /** Clears the last walk, for a beam of {@code width} accepted nodes on a graph of ids below {@code nodes}. */
    void start(int width, int nodes) {
        this.width = width;
        candidates.clear();
        beam.clear();
        beam.setMaxSize(width);
        visited.clear();
        visited.ensureCapacity(nodes);
    }

    /** Marks a node that the walk must never score or return. */
    void exclude(int node) {
        visited.getAndSet(node);
    }

    /** An entry point of the walk, scored; it joins the beam if {@code accept} allows it. */
    void seed(int node, float score, Bits accept) {
        visited.getAndSet(node);
        candidates.push(node, score);
        if (accept.get(node)) beam.push(node, score);
    }

    /**
     * How a walk reads a node's neighbours: each one that {@code unvisited} marks is scored and offered. A view's
     * {@code processNeighbors} does it; {@link FusedScores} reads a fused segment's records itself.
     */
    interface Expansion {
        void expand(int node, ImmutableGraphIndex.IntMarker unvisited, ImmutableGraphIndex.NeighborProcessor offer);
    }

    /** Walks {@code level} of {@code view} by {@code score} from the seeds; returns how many nodes it expanded. */
    int walk(ImmutableGraphIndex.View view, int level, ScoreFunction score, Bits accept) {
        return walk((node, unvisited, offer) -> view.processNeighbors(level, node, score, unvisited, offer), accept);
    }

    /** Walks from the seeds, reading neighbours by {@code expansion}; returns how many nodes it expanded. */
    int walk(Expansion expansion, Bits accept) {
        int w = width;
        ImmutableGraphIndex.IntMarker unvisited = n -> !visited.getAndSet(n);
        ImmutableGraphIndex.NeighborProcessor offer = (n, s) -> {
            // A neighbour worse than the whole beam could neither enter it nor lead the walk anywhere it goes.
            if (beam.size() < w || s > beam.topScore()) {
                candidates.push(n, s);
                if (accept.get(n)) beam.push(n, s);
            }
        };
        int expanded = 0;
        while (candidates.size() > 0) {
            if (beam.size() >= w && candidates.topScore() < beam.topScore()) break; // nothing left can improve the beam
            expansion.expand(candidates.pop(), unvisited, offer);
            expanded++;
        }
        return expanded;
    }

    /** The walk's result, worst on top; popping empties it. */
    NodeQueue beam() {
        return beam;
    }

    /** The nodes scored since {@link #start}; also the greedy descent's, between walks. */
    VisitedNodes visited() {
        return visited;
    }
}
