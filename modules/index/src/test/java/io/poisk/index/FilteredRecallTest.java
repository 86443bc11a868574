package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.Hit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Filtered ANN on Fashion-MNIST: a long field {@code bucket} in [0, 1000) spread pseudo-randomly
 * over the images gives filters of 50%, 10%, 1% and 0.1% selectivity ({@code bucket < 500}, ...).
 * Recall@10 against exact filtered search must reach 0.95 at every selectivity, live and after a
 * flush to a fused-PQ segment; the mean latency of each is logged.
 */
@Tag("dataset")
class FilteredRecallTest {
    private static final Logger log = LoggerFactory.getLogger(FilteredRecallTest.class);
    private static final Path DATASET = Path.of("/usr/share/datasets/fashion-mnist");
    private static final int K = 10;
    private static final int[] BUCKET_LIMITS = {500, 100, 10, 1};

    @TempDir
    Path tmp;

    @Test
    void filteredRecallOn5000Vectors() throws Exception {
        run(5_000, 60, 1_000);
    }

    @Tag("slow")
    @Test
    void filteredRecallOn20000Vectors() throws Exception {
        run(20_000, 150, 10_000);
    }

    private static int bucket(int i) {
        return (int) Math.floorMod((i * 2_654_435_761L) >>> 7, 1000L);
    }

    private void run(int n, int queryCount, int pqMinVectors) throws Exception {
        float[][] base = FashionMnistRecallTest.readImages(DATASET.resolve("train-images-idx3-ubyte.gz"), n);
        float[][] queries = FashionMnistRecallTest.readImages(DATASET.resolve("t10k-images-idx3-ubyte.gz"), queryCount);
        int dim = base[0].length;
        IndexOptions opts = new IndexOptions(32, 100, 100, 2, 50_000, pqMinVectors, 4, 1 << 20, 0);
        CollectionSchema schema = new CollectionSchema("fashion", "pixels", dim, "cosine");
        CollectionOptions options = new CollectionOptions(CollectionOptions.Language.EN, Map.of("bucket", FieldType.LONG));
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("fashion"), schema, options, opts)) {
            for (int i = 0; i < n; i += 1_000) {
                List<EmbeddedDocument> batch = new ArrayList<>();
                for (int j = i; j < Math.min(n, i + 1_000); j++) {
                    batch.add(new EmbeddedDocument(new Document("f" + j, "image " + j, Map.of("bucket", bucket(j))), base[j]));
                }
                c.upsert(batch);
            }
            List<String> failures = new ArrayList<>();
            measure(c, base, queries, "live", failures);
            c.flush();
            assertThat(c.diskSegments().stream().map(DiskSegment::hasFusedPq).toList()).containsExactly(true);
            measure(c, base, queries, "flushed (fused PQ)", failures);
            assertThat(failures).isEmpty();
        }
    }

    private static void measure(CollectionIndex c, float[][] base, float[][] queries, String state, List<String> failures) {
        for (int limit : BUCKET_LIMITS) {
            Filter f = c.parseFilter(Map.of("range", Map.of("bucket", Map.of("lt", limit))));
            int allowed = 0;
            for (int i = 0; i < base.length; i++) if (bucket(i) < limit) allowed++;
            double recall = 0;
            long nanos = 0;
            for (float[] q : queries) {
                Set<String> exact = exactFiltered(base, q, limit);
                long t = System.nanoTime();
                List<Hit> hits = c.search(SearchQuery.dense(q, K, f)).hits();
                nanos += System.nanoTime() - t;
                assertThat(hits).hasSize(Math.min(K, allowed));
                int found = 0;
                for (Hit h : hits) {
                    assertThat(bucket(Integer.parseInt(h.id().substring(1)))).isLessThan(limit);
                    if (exact.contains(h.id())) found++;
                }
                recall += found / (double) Math.min(K, allowed);
            }
            recall /= queries.length;
            log.info("{} vectors, {}: selectivity {}% ({} allowed): recall@10 {}, mean latency {} µs", base.length, state,
                    limit / 10.0, allowed, String.format("%.4f", recall), nanos / 1000 / queries.length);
            if (recall < 0.95) failures.add(state + " selectivity " + limit / 10.0 + "%: recall " + recall);
        }
    }

    private static Set<String> exactFiltered(float[][] base, float[] q, int limit) {
        List<float[]> scored = new ArrayList<>();
        for (int i = 0; i < base.length; i++) {
            if (bucket(i) >= limit) continue;
            float s = 0;
            for (int d = 0; d < q.length; d++) s += base[i][d] * q[d];
            scored.add(new float[]{s, i});
        }
        scored.sort((a, b) -> Float.compare(b[0], a[0]));
        Set<String> out = new HashSet<>();
        for (int i = 0; i < Math.min(K, scored.size()); i++) out.add("f" + (int) scored.get(i)[1]);
        return out;
    }
}
