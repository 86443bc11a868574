package io.poisk.index;

import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodeQueue;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.util.Bits;

import java.util.Arrays;

/**
 * A walk of a JVector on-heap graph (the live segment's, or the one a merge grows) with exact scores, by the HNSW
 * algorithm as Lucene's {@code HnswGraphSearcher} runs it: best first through one layer at a time, the best nodes
 * of a layer being the entry points of the next. A query walks the upper layers with a beam of one and the bottom
 * layer with its beam ({@link #search}); a node being inserted walks every layer it joins with the construction
 * beam, and those layers' beams are its neighbour candidates ({@link #insertion}).
 *
 * <p>Why not JVector's {@code GraphSearcher}: see {@link LayerBeam}, which walks each layer here. In graph insertion
 * JVector's unbounded candidate heap was 23% of a build's samples and its visited hash set 7% (JFR, session 14).
 *
 * <p>One instance per thread, reused by every walk on any graph: the visited set grows with the graph.
 */
final class OnHeapGraphWalk {
    private final LayerBeam layer = new LayerBeam(1024);
    /** The last layer's beam, best first ({@link #found} of them): the next layer's entry points. */
    private int[] nodes = new int[128];
    private float[] scores = new float[128];
    private int found;
    /** Per walk, for the result's counts. */
    private int expanded;
    private int visitedNodes;

    /** Receives an inserted node's neighbour candidates on one layer, best first (valid during the call only). */
    interface LayerCandidates {
        void accept(int level, int[] nodes, float[] scores, int count);
    }

    /**
     * The {@code k} best nodes that {@code accept} allows, best first: a beam of one down the upper layers, then a
     * beam of {@code beamWidth} (at least k) on the bottom one. Unaccepted nodes still lead the walk.
     */
    SearchResult search(ImmutableGraphIndex.View view, ScoreFunction score, int k, int beamWidth, Bits accept) {
        ImmutableGraphIndex.NodeAtLevel entry = view.entryNode();
        if (entry == null) return new SearchResult(new SearchResult.NodeScore[0], 0, 0, 0, 0, Float.POSITIVE_INFINITY);
        enter(entry.node, score.similarityTo(entry.node));
        expanded = 0;
        visitedNodes = 0;
        for (int level = entry.level; level > 0; level--) walkLayer(view, score, level, 1, Bits.ALL, -1);
        walkLayer(view, score, 0, Math.max(k, beamWidth), accept, -1);
        SearchResult.NodeScore[] out = new SearchResult.NodeScore[Math.min(k, found)];
        for (int i = 0; i < out.length; i++) out[i] = new SearchResult.NodeScore(nodes[i], scores[i]);
        return new SearchResult(out, visitedNodes, expanded, expanded, 0, Float.POSITIVE_INFINITY);
    }

    /**
     * The neighbour candidates of {@code node}, being inserted at layer {@code top}, from the graph's {@code entry}
     * (not null): a beam of one down the layers above {@code top}, then a beam of {@code beamWidth} on each layer from
     * {@code top} (or the entry's layer, if lower) down to 0, whose beam goes to {@code sink}. The node itself is
     * never scored, though concurrent insertions may already link to it.
     */
    void insertion(ImmutableGraphIndex.View view, ScoreFunction score, int node, ImmutableGraphIndex.NodeAtLevel entry,
                   int top, int beamWidth, LayerCandidates sink) {
        enter(entry.node, score.similarityTo(entry.node));
        for (int level = entry.level; level >= 0; level--) {
            boolean joins = level <= top;
            walkLayer(view, score, level, joins ? beamWidth : 1, Bits.ALL, node);
            if (joins) sink.accept(level, nodes, scores, found);
        }
    }

    /** Makes one node the entry point of the next layer walked. */
    private void enter(int node, float score) {
        nodes[0] = node;
        scores[0] = score;
        found = 1;
    }

    /**
     * Walks one layer from the entry points in {@link #nodes} with a beam of {@code width} accepted nodes
     * ({@link LayerBeam}), then puts the beam, best first, in their place. {@code skip}: a node never scored (-1: none).
     */
    private void walkLayer(ImmutableGraphIndex.View view, ScoreFunction score, int level, int width, Bits accept, int skip) {
        layer.start(width, view.getIdUpperBound());
        if (skip >= 0) layer.exclude(skip);
        for (int i = 0; i < found; i++) layer.seed(nodes[i], scores[i], accept);
        expanded += layer.walk(view, level, score, accept);
        visitedNodes += layer.visited().count;
        NodeQueue beam = layer.beam();
        found = beam.size();
        if (found > nodes.length) {
            nodes = Arrays.copyOf(nodes, found);
            scores = Arrays.copyOf(scores, found);
        }
        for (int i = found - 1; i >= 0; i--) {
            scores[i] = beam.topScore();
            nodes[i] = beam.pop();
        }
    }
}
