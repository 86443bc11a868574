package io.poisk.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link Int8Scores}: its scores are close to the exact ones for every similarity and order near neighbours as they
 * do, a node's and a coded query's, across its pages and for nodes appended after a score function was made; and a graph built by them finds as
 * much, searched with exact scores, as one built by {@link ExactScores}.
 */
class Int8ScoresTest {
    private static final int DIM = 64;

    @Test
    void scoresAreCloseToTheExactOnesForEverySimilarity() {
        Random r = new Random(5);
        List<float[]> base = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            float[] v = new float[DIM];
            float length = 0.5f + 1.5f * r.nextFloat(); // lengths 0.5-2: DOT and EUCLIDEAN see them
            for (int d = 0; d < DIM; d++) v[d] = (float) r.nextGaussian() * length / (float) Math.sqrt(DIM);
            base.add(v);
        }
        for (VectorSimilarityFunction similarity : VectorSimilarityFunction.values()) {
            var exact = new ExactScores(base::get, base::size, similarity);
            var int8 = new Int8Scores(DIM, similarity);
            for (float[] v : base) int8.append(v);
            for (int i = 0; i < base.size(); i += 13) {
                ScoreFunction.ExactScoreFunction e = exact.scoresToNode(i), q = int8.scoresToNode(i);
                for (int j = 0; j < base.size(); j++) {
                    assertThat(q.similarityTo(j)).as("%s %d %d", similarity, i, j).isCloseTo(e.similarityTo(j), within(0.01f));
                }
            }
        }
    }

    @Test
    void ordersNearNeighboursAsTheExactScoresDo() {
        Random r = new Random(9);
        List<float[]> base = GraphInserterTest.clustered(r, 2_000);
        var exact = new ExactScores(base::get, base::size, VectorSimilarityFunction.COSINE);
        var int8 = new Int8Scores(GraphInserterTest.clustered(r, 1).getFirst().length, VectorSimilarityFunction.COSINE);
        for (float[] v : base) int8.append(v);
        List<float[]> queries = GraphInserterTest.clustered(r, 50);
        int sameForNodes = 0, sameForQueries = 0;
        for (int i = 0; i < queries.size(); i++) {
            int[] byExact = top(exact.scoresToNode(i), base.size(), 10);
            int[] byCodes = top(int8.scoresToNode(i), base.size(), 10);
            for (int a : byExact) for (int b : byCodes) if (a == b) sameForNodes++;
            byExact = top(exact.scoresTo(queries.get(i)), base.size(), 10);
            byCodes = top(int8.scoresTo(queries.get(i)), base.size(), 10);
            for (int a : byExact) for (int b : byCodes) if (a == b) sameForQueries++;
        }
        assertThat(sameForNodes / (10.0 * queries.size())).as("a node's top 10 shared with the exact top 10").isGreaterThan(0.97);
        assertThat(sameForQueries / (10.0 * queries.size())).as("a query's top 10 shared with the exact top 10").isGreaterThan(0.97);
    }

    @Test
    void aScoreFunctionReachesNodesAppendedLaterOnNewPages() {
        var int8 = new Int8Scores(4, VectorSimilarityFunction.DOT_PRODUCT);
        int8.append(new float[]{1, 0, 0, 0});
        ScoreFunction.ExactScoreFunction first = int8.scoresToNode(0);
        for (int i = 1; i < 2_500; i++) int8.append(new float[]{i % 2 == 0 ? 1 : -1, 0, 0, 0});
        assertThat(int8.size()).isEqualTo(2_500);
        assertThat(first.similarityTo(2_400)).isCloseTo(1f, within(1e-6f)); // (1 + 1) / 2, on the third page
        assertThat(first.similarityTo(2_401)).isCloseTo(0f, within(1e-6f));
    }

    @Test
    void aZeroVectorScoresAsTheExactScoresDoAndAWrongDimensionIsRefused() {
        var int8 = new Int8Scores(3, VectorSimilarityFunction.EUCLIDEAN);
        int8.append(new float[3]);
        int8.append(new float[]{3, 4, 0});
        assertThat(int8.scoresToNode(0).similarityTo(1)).isCloseTo(1f / 26, within(1e-4f));
        assertThatThrownBy(() -> int8.append(new float[2])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGraphBuiltByThemFindsAsMuchAsOneBuiltByExactScores() throws Exception {
        Random r = new Random(7);
        List<float[]> base = GraphInserterTest.clustered(r, 6_000);
        List<float[]> queries = GraphInserterTest.clustered(r, 200);
        int dim = base.getFirst().length;
        var exact = new ExactScores(base::get, base::size, VectorSimilarityFunction.COSINE);
        var int8 = new Int8Scores(dim, VectorSimilarityFunction.COSINE);
        for (float[] v : base) int8.append(v);
        IndexOptions opts = new IndexOptions(16, 64, 64, 2, 10_000, 1_000_000, 100, 1 << 20, 0);
        double[] recall = new double[2];
        BuildScores[] ways = {exact, int8};
        for (int w = 0; w < ways.length; w++) {
            try (GraphIndexBuilder builder = GraphInserter.newBuilder(ways[w], dim, opts, false);
                 GraphInserter inserter = new GraphInserter(builder, ways[w], opts.constructionBeam())) {
                ForkJoinPool.commonPool().submit(() -> IntStream.range(0, base.size()).parallel().forEach(inserter::insert)).join();
                builder.cleanup();
                ImmutableGraphIndex graph = builder.getGraph();
                recall[w] = GraphInserterTest.recall(graph, exact, base, queries);
                OnHeapGraphWalk walk = new OnHeapGraphWalk();
                int lost = 0;
                for (int i = 0; i < base.size(); i++) {
                    SearchResult found = walk.search(graph.getView(), exact.scoresToNode(i), 1, 32, Bits.ALL);
                    if (found.getNodes().length == 0 || found.getNodes()[0].node != i) lost++;
                }
                assertThat(lost).as("nodes that do not find themselves, built by %s", ways[w].getClass().getSimpleName()).isZero();
            }
        }
        assertThat(recall[1]).as("recall@10 built by codes, against %.4f built by exact scores", recall[0])
                .isGreaterThan(Math.min(0.95, recall[0] - 0.01));
    }

    private static int[] top(ScoreFunction.ExactScoreFunction score, int n, int k) {
        return IntStream.range(0, n).boxed().sorted((a, b) -> Float.compare(score.similarityTo(b), score.similarityTo(a)))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }
}
