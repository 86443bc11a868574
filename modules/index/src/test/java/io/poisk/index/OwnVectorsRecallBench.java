package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.Hit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * Recall@10 and queries/s of a collection without a model against brute force, per similarity, on one flushed
 * segment (fused PQ, the default index options) of random vectors whose lengths vary 4x (length counts under dot
 * and euclidean). Prints one line per similarity; asserts nothing.
 * <p>{@code mvn -o -q -pl modules/index -am test -Dtest=OwnVectorsRecallBench -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.docs=20000 -Dbench.dim=64]}
 */
@Tag("bench")
class OwnVectorsRecallBench {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"cosine", "dot", "euclidean"})
    void recallAgainstBruteForce(String similarity) throws Exception {
        int n = Integer.getInteger("bench.docs", 20000);
        int dim = Integer.getInteger("bench.dim", 64);
        int queries = 200;
        Random r = new Random(11);
        float[][] vectors = new float[n][];
        IndexOptions d = IndexOptions.defaults();
        IndexOptions opts = new IndexOptions(d.graphDegree(), d.constructionBeam(), d.searchBeam(), d.rescoreFactor(), n + 1,
                d.pqMinVectors(), d.mergeMaxSegments(), d.maxDocumentBytes(), 0);
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve(similarity), new CollectionSchema("b", null, dim, similarity), opts)) {
            long t0 = System.nanoTime();
            for (int from = 0; from < n; from += 1000) {
                List<EmbeddedDocument> docs = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + 1000); i++) {
                    vectors[i] = vector(r, dim);
                    docs.add(new EmbeddedDocument(new Document("d" + i, "", Map.of()), vectors[i]));
                }
                c.upsert(docs);
            }
            c.flush();
            long built = System.nanoTime() - t0;
            double recall = 0;
            int sameTop = 0;
            long searching = 0;
            for (int q = 0; q < queries; q++) {
                float[] query = vector(r, dim);
                long s0 = System.nanoTime();
                List<Hit> hits = c.search(query, 10);
                searching += System.nanoTime() - s0;
                List<String> truth = bruteForce(similarity, vectors, query, 10);
                Set<String> want = new HashSet<>(truth);
                recall += hits.stream().filter(h -> want.contains(h.id())).count() / 10.0;
                if (!hits.isEmpty() && hits.getFirst().id().equals(truth.getFirst())) sameTop++;
            }
            System.out.printf("OwnVectorsRecallBench %s: %d x %d, ingest+flush %.1f s, recall@10 %.3f, best hit %d/%d, %.0f queries/s%n",
                    similarity, n, dim, built / 1e9, recall / queries, sameTop, queries, queries / (searching / 1e9));
        }
    }

    private static List<String> bruteForce(String sim, float[][] vectors, float[] q, int k) {
        PriorityQueue<double[]> worstFirst = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
        for (int i = 0; i < vectors.length; i++) {
            worstFirst.add(new double[]{VectorSpaceSearchTest.score(sim, q, vectors[i]), i});
            if (worstFirst.size() > k) worstFirst.poll();
        }
        List<double[]> best = new ArrayList<>(worstFirst);
        best.sort((a, b) -> Double.compare(b[0], a[0]));
        return best.stream().map(e -> "d" + (int) e[1]).toList();
    }

    private static float[] vector(Random r, int dim) {
        float[] v = TestVectors.unit(r, dim);
        float length = (float) (0.5 + 1.5 * r.nextDouble());
        for (int i = 0; i < dim; i++) v[i] *= length;
        return v;
    }
}
