package io.poisk.index;

import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.poisk.core.CollectionSchema;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.poisk.index.TestVectors.doc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FusedScores} against JVector's {@code FusedPQDecoder} on the same segment and queries: every upper-layer
 * node and every neighbour code of a sample of bottom-layer nodes must score as the decoder scores it, once the
 * decoder's score is mapped back to its distance (EUCLIDEAN: 1 / (1 + d)) or dot product (DOT_PRODUCT: (1 + x) / 2).
 * And the segment's records as {@link FusedScores#expand} and {@link InlineVectorScores} read them, against what
 * JVector's view reads: every node's neighbours, their scores and its full vector's exact score; and whole searches
 * against searches that read everything through the view.
 */
class FusedScoresTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"cosine", "dot", "euclidean"})
    void scoresEveryCodeAsJVectorsDecoderDoes(String similarity) throws Exception {
        Random r = new Random(11);
        int n = 3_000;
        float[][] queries = FusedGraphSearchTest.embedded(r, 5, 20);
        try (CollectionIndex c = flushed(similarity, r, n)) {
            DiskSegment segment = c.diskSegments().getFirst();
            assertThat(segment.hasFusedPq()).isTrue();
            VectorSpace space = VectorSpace.of(similarity);
            try (FusedGraphSearch ours = segment.newFusedSearch(true); var view = segment.graph().getView()) {
                var upperNodes = view.getInlineSourceFeatures().keySet();
                assertThat(upperNodes).isNotEmpty();
                int compared = 0;
                for (float[] q : queries) {
                    VectorFloat<?> query = LiveSegment.VTS.createFloatVector(q);
                    ScoreFunction.ApproximateScoreFunction mine = ours.approximateScores(query, space.approximate());
                    ScoreFunction.ApproximateScoreFunction theirs = view.approximateScoreFunctionFor(query, space.approximate());
                    assertThat(mine).isInstanceOf(FusedScores.class);
                    for (int node : upperNodes) {
                        assertSame(mine.similarityTo(node), theirs.similarityTo(node), space);
                        compared++;
                    }
                    for (int node = 0; node < n; node += 97) {
                        int degree = view.getNeighborsIterator(0, node).size();
                        mine.enableSimilarityToNeighbors(node);
                        theirs.enableSimilarityToNeighbors(node);
                        for (int i = 0; i < degree; i++) {
                            assertSame(mine.similarityToNeighbor(node, i), theirs.similarityToNeighbor(node, i), space);
                            compared++;
                        }
                    }
                }
                assertThat(compared).isGreaterThan(20 * 30 * 8);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cosine", "dot", "euclidean"})
    void readsEveryRecordAsJVectorsViewDoes(String similarity) throws Exception {
        Random r = new Random(12);
        int n = 2_500;
        float[][] queries = FusedGraphSearchTest.embedded(r, 5, 5);
        try (CollectionIndex c = flushed(similarity, r, n)) {
            DiskSegment segment = c.diskSegments().getFirst();
            FusedScores.RecordLayout layout = segment.records();
            assertThat(layout).isNotNull();
            assertThat(layout.hasVectors()).isTrue();
            VectorSpace space = VectorSpace.of(similarity);
            try (FusedGraphSearch ours = segment.newFusedSearch(true); var view = segment.graph().getView();
                 FusedGraphSearch throughView = segment.newFusedSearchThroughView()) {
                for (float[] q : queries) {
                    VectorFloat<?> query = LiveSegment.VTS.createFloatVector(space.prepare(q));
                    // The same walk, the same answer: records read here or through the view.
                    for (int beam : new int[] {10, 40}) {
                        var mineFound = ours.search(ours.approximateScores(query, space.approximate()),
                                ours.exactScores(query, space.exact()), 10, beam, io.github.jbellis.jvector.util.Bits.ALL);
                        var viewFound = throughView.search(throughView.approximateScores(query, space.approximate()),
                                throughView.exactScores(query, space.exact()), 10, beam, io.github.jbellis.jvector.util.Bits.ALL);
                        assertThat(java.util.Arrays.stream(mineFound.getNodes()).map(ns -> ns.node).toList())
                                .isEqualTo(java.util.Arrays.stream(viewFound.getNodes()).map(ns -> ns.node).toList());
                        assertThat(mineFound.getVisitedCount()).isEqualTo(viewFound.getVisitedCount());
                    }
                    FusedScores mine = (FusedScores) ours.approximateScores(query, space.approximate());
                    assertThat(mine.readsRecords()).isTrue();
                    ScoreFunction.ExactScoreFunction exact = ours.exactScores(query, space.exact());
                    assertThat(exact).isInstanceOf(InlineVectorScores.class);
                    ScoreFunction.ExactScoreFunction theirsExact = view.rerankerFor(query, space.exact());
                    for (int node = 0; node < n; node++) {
                        List<String> read = new ArrayList<>(), viewRead = new ArrayList<>();
                        mine.expand(node, x -> true, (x, score) -> read.add(x + ":" + score));
                        ours.view().processNeighbors(0, node, mine, x -> true, (x, score) -> viewRead.add(x + ":" + score));
                        assertThat(read).as("node %d", node).isNotEmpty().isEqualTo(viewRead);
                        float expected = theirsExact.similarityTo(node);
                        assertThat(exact.similarityTo(node)).as("node %d", node)
                                .isCloseTo(expected, org.assertj.core.data.Offset.offset(2e-6f * Math.max(1, Math.abs(expected))));
                    }
                    // Only the neighbours the marker lets through are scored and offered.
                    List<Integer> odd = new ArrayList<>();
                    mine.expand(0, x -> x % 2 == 1, (x, score) -> odd.add(x));
                    assertThat(odd).isNotEmpty().allMatch(x -> x % 2 == 1);
                }
            }
        }
    }

    /** A collection of one flushed segment of {@code n} clustered vectors (of lengths 1-2 where not cosine). */
    private CollectionIndex flushed(String similarity, Random r, int n) throws Exception {
        float[][] base = FusedGraphSearchTest.embedded(r, 5, n);
        if (!similarity.equals("cosine")) for (float[] v : base) for (int d = 0; d < v.length; d++) v[d] *= 1 + r.nextFloat(); // not unit
        CollectionIndex c = CollectionIndex.create(tmp.resolve(similarity),
                new CollectionSchema("f", similarity.equals("cosine") ? "test-model" : null, FusedGraphSearchTest.DIM, similarity), FusedGraphSearchTest.OPTS);
        List<EmbeddedDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) docs.add(doc("d" + i, base[i]));
        c.upsert(docs);
        c.flush();
        return c;
    }

    /** Ours is the negated squared distance or the dot product itself; JVector's maps those into (0, 1]. */
    private static void assertSame(float ours, float jvectors, VectorSpace space) {
        float expected = switch (space.approximate()) {
            case EUCLIDEAN -> -(1 / jvectors - 1);
            case DOT_PRODUCT -> 2 * jvectors - 1;
            default -> throw new AssertionError(space.approximate());
        };
        assertThat(ours).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4f * Math.max(1, Math.abs(expected))));
    }
}
