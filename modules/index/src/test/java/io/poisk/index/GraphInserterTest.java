package io.poisk.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link GraphInserter} with {@link ExactScores} against JVector's own {@code addGraphNode} and scores on the same
 * vectors and builder parameters, both inserting in parallel: its graph finds as much (recall@10 by the same
 * {@link OnHeapGraphWalk}), every node finds itself, and cleanup leaves every neighbour list within the degree.
 * Clustered vectors, so that the graph matters. And the scores are JVector's, for every similarity.
 */
class GraphInserterTest {
    private static final int DIM = 32;
    private static final int N = 6_000;
    private static final IndexOptions OPTS = new IndexOptions(16, 64, 64, 2, 10_000, 1_000_000, 100, 1 << 20, 0);
    private static final VectorSimilarityFunction COSINE = VectorSimilarityFunction.COSINE;

    @Test
    void findsAsMuchAsJVectorsOwnInsertionAndEveryNodeFindsItself() throws Exception {
        Random r = new Random(7);
        List<float[]> base = clustered(r, N);
        List<float[]> queries = clustered(r, 200);
        var scores = new ExactScores(base::get, base::size, COSINE);
        var vectors = views(base);

        double jvectorRecall;
        // JVector's own insertion, scored by JVector
        try (GraphIndexBuilder builder = new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(vectors, COSINE), DIM,
                OPTS.graphDegree(), OPTS.constructionBeam(), GraphInserter.NEIGHBOR_OVERFLOW, GraphInserter.ALPHA, true, true)) {
            ForkJoinPool.commonPool().submit(() -> IntStream.range(0, N).parallel()
                    .forEach(i -> builder.addGraphNode(i, vectors.getVector(i)))).join();
            builder.cleanup();
            jvectorRecall = recall(builder.getGraph(), scores, base, queries);
        }
        try (GraphIndexBuilder builder = GraphInserter.newBuilder(scores, DIM, OPTS, true);
             GraphInserter inserter = new GraphInserter(builder, scores, OPTS.constructionBeam())) {
            ForkJoinPool.commonPool().submit(() -> IntStream.range(0, N).parallel().forEach(inserter::insert)).join();
            builder.cleanup();
            ImmutableGraphIndex graph = builder.getGraph();
            double ours = recall(graph, scores, base, queries);
            assertThat(ours).as("recall@10, ours against JVector's %.4f", jvectorRecall).isGreaterThan(Math.min(0.95, jvectorRecall - 0.01));

            OnHeapGraphWalk walk = new OnHeapGraphWalk();
            int lost = 0;
            for (int i = 0; i < N; i++) {
                SearchResult found = walk.search(graph.getView(), scores.scoresToNode(i), 1, 32, Bits.ALL);
                if (found.getNodes().length == 0 || found.getNodes()[0].node != i) lost++;
            }
            assertThat(lost).as("nodes that do not find themselves").isZero();
            var view = graph.getView();
            for (int i = 0; i < N; i++) assertThat(view.getNeighborsIterator(0, i).size()).isBetween(1, OPTS.graphDegree());
        }
    }

    @Test
    void aFilteredWalkReturnsOnlyAcceptedNodesBestFirst() throws Exception {
        Random r = new Random(11);
        List<float[]> base = clustered(r, 2_000);
        var scores = new ExactScores(base::get, base::size, COSINE);
        try (GraphIndexBuilder builder = GraphInserter.newBuilder(scores, DIM, OPTS, true);
             GraphInserter inserter = new GraphInserter(builder, scores, OPTS.constructionBeam())) {
            for (int i = 0; i < base.size(); i++) inserter.insert(i); // one thread: the same graph every run
            Bits even = node -> node % 2 == 0;
            float[] query = clustered(r, 1).getFirst();
            SearchResult found = new OnHeapGraphWalk().search(builder.getGraph().getView(), scores.scoresTo(query), 10, 64, even);
            assertThat(found.getNodes()).hasSize(10);
            float previous = Float.POSITIVE_INFINITY;
            for (SearchResult.NodeScore ns : found.getNodes()) {
                assertThat(ns.node % 2).isZero();
                assertThat(ns.score).isLessThanOrEqualTo(previous);
                previous = ns.score;
            }
            assertThat(found.getNodes()[0].node).isEqualTo(bruteForce(base, query, 1, even)[0]);
        }
    }

    @Test
    void scoresAreJVectorsForEverySimilarity() {
        Random r = new Random(3);
        List<float[]> base = clustered(r, 50);
        var vectors = views(base);
        for (VectorSimilarityFunction similarity : VectorSimilarityFunction.values()) {
            var scores = new ExactScores(base::get, base::size, similarity);
            for (int i = 0; i < base.size(); i++) {
                for (int j = 0; j < base.size(); j += 7) {
                    assertThat(scores.scoresToNode(i).similarityTo(j)).as("%s %d %d", similarity, i, j)
                            .isCloseTo(similarity.compare(vectors.getVector(i), vectors.getVector(j)), within(1e-5f));
                }
            }
        }
    }

    static double recall(ImmutableGraphIndex graph, ExactScores scores, List<float[]> base, List<float[]> queries) {
        OnHeapGraphWalk walk = new OnHeapGraphWalk();
        int hits = 0;
        for (float[] q : queries) {
            int[] truth = bruteForce(base, q, 10, Bits.ALL);
            SearchResult found = walk.search(graph.getView(), scores.scoresTo(q), 10, 40, Bits.ALL);
            for (SearchResult.NodeScore ns : found.getNodes()) {
                for (int t : truth) if (t == ns.node) hits++;
            }
        }
        return hits / (10.0 * queries.size());
    }

    private static int[] bruteForce(List<float[]> base, float[] q, int k, Bits accept) {
        var score = new ExactScores(base::get, base::size, COSINE).scoresTo(q);
        return IntStream.range(0, base.size()).filter(accept::get).boxed()
                .sorted((a, b) -> Float.compare(score.similarityTo(b), score.similarityTo(a)))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    private static ListRandomAccessVectorValues views(List<float[]> base) {
        List<VectorFloat<?>> out = new ArrayList<>();
        for (float[] v : base) out.add(LiveSegment.VTS.createFloatVector(v));
        return new ListRandomAccessVectorValues(out, DIM);
    }

    /** Gaussian clusters around 40 random centres, so that nearest neighbours are close calls within a cluster. */
    static List<float[]> clustered(Random r, int n) {
        Random centres = new Random(1);
        float[][] c = new float[40][];
        for (int i = 0; i < c.length; i++) c[i] = TestVectors.unit(centres, DIM);
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] centre = c[r.nextInt(c.length)];
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) v[d] = centre[d] + 0.15f * (float) r.nextGaussian();
            out.add(v);
        }
        return out;
    }
}
