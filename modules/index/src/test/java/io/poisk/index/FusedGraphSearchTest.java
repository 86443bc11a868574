package io.poisk.index;

import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.poisk.core.CollectionSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.poisk.index.TestVectors.doc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FusedGraphSearch} against brute force and against JVector's own {@code GraphSearcher} on the same fused-PQ
 * segment, query by query: it must find at least what JVector finds at the same beam, return exactly k nodes best
 * first by their exact score, and keep to what the accept bits allow.
 */
class FusedGraphSearchTest {
    static final int DIM = 32;
    static final int N = 6_000;
    static final int K = 10;
    static final int BEAM = 20;
    /** Every flush fused (PQ from 1,000 vectors), one segment; 4 dimensions per code (8 codes for these 32-d vectors). */
    static final IndexOptions OPTS = new IndexOptions(16, 64, 64, 2, 100_000, 1_000, 100, 1 << 20, 0).withMinFreeDiskBytes(0)
            .withPqSubvectorDims(4);

    @TempDir
    Path tmp;

    /**
     * Unit vectors of few intrinsic dimensions, as embeddings are: a 12-d Gaussian mapped into 32-d by a fixed random
     * matrix (seeded), plus a little noise.
     */
    static float[][] embedded(Random r, long mapSeed, int n) {
        return embedded(r, mapSeed, n, DIM);
    }

    /** As above, in {@code dim} dimensions. */
    static float[][] embedded(Random r, long mapSeed, int n, int dim) {
        Random m = new Random(mapSeed);
        float[][] map = new float[12][dim];
        for (float[] row : map) for (int d = 0; d < dim; d++) row[d] = (float) m.nextGaussian();
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] v = new float[dim];
            for (float[] row : map) {
                float z = (float) r.nextGaussian();
                for (int d = 0; d < dim; d++) v[d] += z * row[d];
            }
            for (int d = 0; d < dim; d++) v[d] += 0.1f * (float) r.nextGaussian();
            out[i] = UnitVectors.normalized(v);
        }
        return out;
    }

    @Test
    void findsWhatJVectorsSearcherFindsBestFirstAndOnlyAcceptedNodes() throws Exception {
        Random r = new Random(7);
        float[][] base = embedded(r, 11, N);
        float[][] queries = embedded(r, 11, 200);
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("c"), new CollectionSchema("f", "test-model", DIM, "cosine"), OPTS)) {
            List<EmbeddedDocument> docs = new ArrayList<>();
            for (int i = 0; i < N; i++) docs.add(doc("d" + i, base[i]));
            c.upsert(docs);
            c.flush();
            DiskSegment segment = c.diskSegments().getFirst();
            assertThat(segment.hasFusedPq()).isTrue();
            int[] idOf = new int[N]; // ordinal -> index into base
            for (int o = 0; o < N; o++) idOf[o] = Integer.parseInt(segment.idAt(o).substring(1));
            VectorSpace space = VectorSpace.COSINE;
            Bits even = o -> idOf[o] % 2 == 0;

            try (FusedGraphSearch ours = segment.newFusedSearch(true); GraphSearcher theirs = new GraphSearcher(segment.graph())) {
                assertThat(ours.canSearch()).isTrue();
                double oursRecall = 0, theirsRecall = 0, evenRecall = 0;
                for (float[] q : queries) {
                    VectorFloat<?> query = LiveSegment.VTS.createFloatVector(q);
                    SearchResult mine = ours.search(ours.approximateScores(query, space.approximate()),
                            ours.exactScores(query, space.exact()), K, BEAM, Bits.ALL);
                    var theirView = (OnDiskGraphIndex.View) theirs.getView();
                    var ssp = new DefaultSearchScoreProvider(theirView.approximateScoreFunctionFor(query, space.approximate()),
                            theirView.rerankerFor(query, space.exact()));
                    SearchResult jv = theirs.search(ssp, K, BEAM, VectorSpace.NO_THRESHOLD, VectorSpace.NO_RERANK_FLOOR, Bits.ALL);

                    assertThat(mine.getNodes()).hasSize(K);
                    for (int i = 1; i < K; i++) assertThat(mine.getNodes()[i].score).isLessThanOrEqualTo(mine.getNodes()[i - 1].score);
                    Set<Integer> exact = exactTop(base, q, false);
                    oursRecall += found(mine, idOf, exact);
                    theirsRecall += found(jv, idOf, exact);

                    SearchResult filtered = ours.search(ours.approximateScores(query, space.approximate()),
                            ours.exactScores(query, space.exact()), K, BEAM, even);
                    assertThat(filtered.getNodes()).hasSize(K);
                    for (SearchResult.NodeScore ns : filtered.getNodes()) assertThat(idOf[ns.node] % 2).isZero();
                    evenRecall += found(filtered, idOf, exactTop(base, q, true));
                }
                oursRecall /= queries.length * K;
                theirsRecall /= queries.length * K;
                evenRecall /= queries.length * K;
                // Measured: 0.9200-0.9205 ours, 0.9205 JVector's at this beam (graph builds vary a little); the even half 0.9590.
                assertThat(oursRecall).isGreaterThanOrEqualTo(theirsRecall - 0.01).isGreaterThan(0.88);
                assertThat(evenRecall).isGreaterThan(0.92);
                System.out.printf("recall@10 at beam %d: ours %.4f, JVector's %.4f, even half %.4f%n", BEAM, oursRecall, theirsRecall, evenRecall);
            }
        }
    }

    private static int found(SearchResult r, int[] idOf, Set<Integer> exact) {
        int n = 0;
        for (SearchResult.NodeScore ns : r.getNodes()) if (exact.contains(idOf[ns.node])) n++;
        return n;
    }

    private static Set<Integer> exactTop(float[][] base, float[] q, boolean evenOnly) {
        List<float[]> scored = new ArrayList<>();
        for (int i = 0; i < base.length; i++) {
            if (evenOnly && i % 2 != 0) continue;
            float s = 0;
            for (int d = 0; d < q.length; d++) s += base[i][d] * q[d];
            scored.add(new float[]{s, i});
        }
        scored.sort((a, b) -> Float.compare(b[0], a[0]));
        Set<Integer> out = new HashSet<>();
        for (int i = 0; i < K; i++) out.add((int) scored.get(i)[1]);
        return out;
    }
}
