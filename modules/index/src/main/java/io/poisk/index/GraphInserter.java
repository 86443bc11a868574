package io.poisk.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex.NodeAtLevel;
import io.github.jbellis.jvector.graph.NodeArray;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.util.ExplicitThreadLocal;

import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Inserts nodes into the graph of a JVector {@link GraphIndexBuilder}: the same steps as its {@code addGraphNode},
 * with the neighbour search done by {@link OnHeapGraphWalk}. JVector keeps the rest: the graph, the diversity
 * pruning of each new node's neighbours and back-links ({@code addEdges}), and {@code cleanup} before a write.
 *
 * <p>Why: JVector's builder searches with its {@code GraphSearcher}, which pushes every neighbour it scores onto an
 * unbounded candidate heap and keeps a visited hash set (a third of an insertion's search, JFR, session 14), and
 * does not let anyone replace it. With the same {@link ExactScores}, this insertion took 8.5-9.2 s of CPU for 20,000
 * e5 vectors where JVector's took 9.4-9.9 s, for the same recall@10 at every beam ({@code GraphBuildBench}).
 *
 * <p>As in JVector, insertions may run concurrently: a node also takes as candidates the nodes whose insertion was in
 * progress when its own began, since neither may find the other in the graph yet. Walks read the graph through a
 * {@link LiveGraphView}, which hides the nodes being inserted. Thread-safe.
 */
final class GraphInserter implements AutoCloseable {
    /** How far a neighbour list may overflow its degree before diversity pruning (JVector's {@code neighborOverflow}). */
    static final float NEIGHBOR_OVERFLOW = 1.2f;
    /** Vamana's alpha for diversity pruning (JVector's default). */
    static final float ALPHA = 1.2f;

    private final OnHeapGraphIndex graph;
    private final BuildScores scores;
    private final int beamWidth;
    /** HNSW's level multiplier, 1 / ln(degree), as JVector's builder draws levels. */
    private final double levelFactor;
    private final Random levels = new Random(0);
    private final Set<NodeAtLevel> inProgress = ConcurrentHashMap.newKeySet();
    private final ExplicitThreadLocal<OnHeapGraphWalk> walks = ExplicitThreadLocal.withInitial(OnHeapGraphWalk::new);
    private final LiveGraphView view;

    /**
     * A JVector builder scoring by {@code scores} with Poisk's graph parameters: hierarchical, exact scores.
     * {@code refine}: JVector's refinement pass over the upper layers at {@code cleanup}.
     */
    static GraphIndexBuilder newBuilder(BuildScores scores, int dimension, IndexOptions opts, boolean refine) {
        return new GraphIndexBuilder(scores, dimension, opts.graphDegree(), opts.constructionBeam(), NEIGHBOR_OVERFLOW,
                ALPHA, true, refine);
    }

    /** Inserts into {@code builder}'s graph, which must score by the same {@code scores} (see {@link #newBuilder}). */
    GraphInserter(GraphIndexBuilder builder, BuildScores scores, int beamWidth) {
        this.graph = (OnHeapGraphIndex) builder.getGraph();
        this.scores = scores;
        this.beamWidth = beamWidth;
        int degree = graph.getDegree(0);
        this.levelFactor = degree <= 1 ? 1 : 1 / Math.log(degree);
        this.view = new LiveGraphView(graph);
    }

    /** Adds {@code node}, whose vector the scores must already hold, to the graph. */
    void insert(int node) {
        ScoreFunction.ExactScoreFunction score = scores.scoresToNode(node);
        NodeAtLevel added = new NodeAtLevel(randomLevel(), node);
        // Walks skip the node until it is finished; it joins the graph before it is among the concurrent candidates, so
        // that a concurrent insertion that links to it finds it.
        view.begin(node);
        graph.addNode(added);
        inProgress.add(added);
        try {
            List<NodeAtLevel> concurrent = List.copyOf(inProgress);
            var entry = view.entryNode();
            if (entry == null) {
                graph.addEdges(0, node, withConcurrent(0, node, new int[0], new float[0], 0, concurrent, score), NEIGHBOR_OVERFLOW);
            } else {
                walks.get().insertion(view, score, node, entry, added.level, beamWidth, (level, nodes, scores, count) ->
                        graph.addEdges(level, node, withConcurrent(level, node, nodes, scores, count, concurrent, score), NEIGHBOR_OVERFLOW));
            }
            graph.markComplete(added);
            view.end(node); // a node whose insertion failed stays hidden, as JVector's view keeps it
        } finally {
            inProgress.remove(added);
        }
    }

    /** The graph as walks may read it while insertions run: without the nodes being inserted. */
    LiveGraphView view() {
        return view;
    }

    /** A level drawn as HNSW draws them: P(level >= l) = degree^-l. */
    private int randomLevel() {
        double u;
        do {
            u = levels.nextDouble();
        } while (u == 0.0);
        return (int) (-Math.log(u) * levelFactor);
    }

    /**
     * The walk's candidates on a layer (best first) and the other in-progress nodes that joined that layer, scored,
     * in one array sorted best first for JVector's diversity pruning.
     */
    private static NodeArray withConcurrent(int level, int node, int[] nodes, float[] scores, int count,
                                            List<NodeAtLevel> concurrent, ScoreFunction score) {
        NodeArray out = new NodeArray(count + concurrent.size());
        for (int i = 0; i < count; i++) out.addInOrder(nodes[i], scores[i]);
        for (NodeAtLevel other : concurrent) {
            if (other.node == node || other.level < level || found(other.node, nodes, count)) continue;
            out.insertSorted(other.node, score.similarityTo(other.node));
        }
        return out;
    }

    private static boolean found(int node, int[] nodes, int count) {
        for (int i = 0; i < count; i++) if (nodes[i] == node) return true;
        return false;
    }

    @Override
    public void close() throws IOException {
        try {
            walks.close();
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
