package io.poisk.index;

import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodeQueue;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.disk.feature.FeatureId;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.BoundedLongHeap;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;

import java.io.IOException;

/**
 * The search of one fused-PQ segment, by the HNSW algorithm as Lucene's {@code HnswGraphSearcher} runs it, over
 * JVector's on-disk graph and its fused codes: a greedy walk down the upper layers, a beam search of the bottom
 * layer by PQ scores (each node's record read by {@link FusedScores#expand} where the segment's layout checked out),
 * then the beam rescored with the full vectors.
 *
 * <p>Why not JVector's {@code GraphSearcher}: see {@link LayerBeam}, which walks the bottom layer here (its heap 5% of
 * a query's samples, where JVector's was 24-27%). The view reads each node's neighbours and their codes
 * ({@link OnDiskGraphIndex.View#processNeighbors}), {@link FusedScores} scores them (JVector's decoder where the
 * segment has no {@link PqTables}), JVector's heaps order them.
 * Measured in one JVM, alternating ({@code FusedSearchBench}): on 20,000 e5 vectors 10-15% less CPU per query at
 * the same recall@10 at beams 40-160; on Fashion-MNIST the same within noise. Because the beam also holds nodes
 * scored but not yet expanded, on hard synthetic data (32-d, noisy clusters, coarse codes) it found less than
 * JVector's at the same beam.
 *
 * <p>One instance per thread and segment: it holds its own view, heaps and visited set, reused by every query. The
 * visited set is one bit per node of the segment (25 KB per thread for 200,000 nodes), off the per-document heap.
 */
final class FusedGraphSearch implements AutoCloseable {
    private final OnDiskGraphIndex.View view;
    /** The bottom layer's beam search, by PQ score; its visited set also serves the greedy descent. */
    private final LayerBeam layer;
    /** The beam rescored, worst of the best k on top. */
    private final NodeQueue best = new NodeQueue(new BoundedLongHeap(10), NodeQueue.Order.MIN_HEAP);
    private final VisitedNodes visited;
    /** Greedy descent state: fields, because the neighbour callback cannot assign the caller's locals. */
    private int closest;
    private float closestScore;

    /** This thread's scores from the graph's codes; null where JVector's decoder scores them ({@link PqTables#of}). */
    private final FusedScores scores;
    /** This thread's exact scores from the records' vectors; null where JVector's reranker gives them. */
    private final InlineVectorScores exactScores;
    private float[] query;

    /**
     * {@code tables} and {@code upper}: the segment's, or null to score with JVector's decoder; {@code records}: where
     * the bottom-layer walk reads the segment's records itself, or null to read them through the view.
     */
    FusedGraphSearch(OnDiskGraphIndex graph, PqTables tables, FusedScores.UpperLayerCodes upper, FusedScores.RecordLayout records) {
        this.view = graph.getView();
        this.layer = new LayerBeam(graph.getIdUpperBound());
        this.visited = layer.visited();
        this.scores = tables == null || upper == null ? null
                : new FusedScores(view, tables, upper, graph.getFeatures().get(FeatureId.FUSED_PQ).featureSize(), records);
        this.exactScores = scores == null || records == null || !records.hasVectors() ? null
                : new InlineVectorScores(view, records, graph.getDimension());
    }

    /**
     * The exact scores of {@code query} for {@link #search}'s rescoring: this searcher's own
     * ({@link InlineVectorScores}) where the segment's records checked out, else JVector's reranker.
     */
    ScoreFunction.ExactScoreFunction exactScores(VectorFloat<?> query, VectorSimilarityFunction similarity) {
        if (exactScores == null || similarity == VectorSimilarityFunction.COSINE) return view.rerankerFor(query, similarity);
        return exactScores.reset(query, similarity);
    }

    /**
     * The approximate scores of {@code query} for {@link #search}: this searcher's own ({@link FusedScores}) where
     * the segment has tables, else JVector's decoder under {@code similarity}.
     */
    ScoreFunction.ApproximateScoreFunction approximateScores(VectorFloat<?> query, VectorSimilarityFunction similarity) {
        if (scores == null) return view.approximateScoreFunctionFor(query, similarity);
        if (this.query == null || this.query.length != query.length()) this.query = new float[query.length()];
        for (int i = 0; i < this.query.length; i++) this.query[i] = query.get(i);
        return scores.reset(this.query);
    }

    OnDiskGraphIndex.View view() {
        return view;
    }

    /**
     * Whether this search can start on the graph: the entry node must carry its own code in the layer cache the
     * fused decoder scores upper-layer nodes from (a graph of one layer has none; JVector's searcher takes those).
     */
    boolean canSearch() {
        ImmutableGraphIndex.NodeAtLevel entry = view.entryNode();
        return entry != null && entry.level > 0 && view.getInlineSourceFeatures().containsKey(entry.node);
    }

    /**
     * The {@code k} best nodes that {@code accept} allows, best first, by {@code exact}: the bottom layer is
     * searched with a beam of {@code beamWidth} (at least k) by {@code approximate}, and the whole beam is rescored.
     */
    SearchResult search(ScoreFunction.ApproximateScoreFunction approximate, ScoreFunction.ExactScoreFunction exact,
                        int k, int beamWidth, Bits accept) {
        ImmutableGraphIndex.NodeAtLevel entry = view.entryNode();
        closest = entry.node;
        closestScore = approximate.similarityTo(entry.node);
        for (int level = entry.level; level > 0; level--) descend(level, approximate);

        int width = Math.max(k, beamWidth);
        layer.start(width, view.getIdUpperBound());
        layer.seed(closest, closestScore, accept);
        int expanded = approximate == scores && scores.readsRecords() ? layer.walk(scores, accept)
                : layer.walk(view, 0, approximate, accept);
        return rescored(exact, k, expanded);
    }

    /** Greedy walk on one upper layer from {@link #closest} to the nearest node it can reach there. */
    private void descend(int level, ScoreFunction approximate) {
        // Neighbourhoods on a layer overlap: a node scored at one hop is not scored again at the next.
        visited.clear();
        visited.getAndSet(closest);
        ImmutableGraphIndex.IntMarker unvisited = node -> !visited.getAndSet(node);
        ImmutableGraphIndex.NeighborProcessor closer = (node, score) -> {
            if (score > closestScore) {
                closest = node;
                closestScore = score;
            }
        };
        int from;
        do {
            from = closest;
            view.processNeighbors(level, from, approximate, unvisited, closer);
        } while (closest != from);
    }

    /** The beam rescored by {@code exact}, its best k best first; {@code expanded}: nodes whose neighbours were read. */
    private SearchResult rescored(ScoreFunction.ExactScoreFunction exact, int k, int expanded) {
        NodeQueue beam = layer.beam();
        best.clear();
        best.setMaxSize(k);
        int rescored = beam.size();
        while (beam.size() > 0) {
            int node = beam.pop();
            best.push(node, exact.similarityTo(node));
        }
        SearchResult.NodeScore[] out = new SearchResult.NodeScore[best.size()];
        for (int i = out.length - 1; i >= 0; i--) {
            float score = best.topScore();
            out[i] = new SearchResult.NodeScore(best.pop(), score);
        }
        return new SearchResult(out, visited.count, expanded, expanded, rescored, Float.POSITIVE_INFINITY);
    }

    @Override
    public void close() throws IOException {
        view.close();
    }
}
