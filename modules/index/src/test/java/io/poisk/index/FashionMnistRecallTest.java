package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.Hit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recall@10 against brute force on real vectors: Fashion-MNIST images (784-d, normalised to unit
 * length), through every state a collection goes through: live, flushed with fused PQ, a live +
 * flushed mix, after 10% deletes, after a merge.
 */
@Tag("dataset")
class FashionMnistRecallTest {
    private static final Logger log = LoggerFactory.getLogger(FashionMnistRecallTest.class);
    private static final Path DATASET = Path.of("/usr/share/datasets/fashion-mnist");
    private static final int BASE = 20_000;
    private static final int EXTRA = 4_000;
    private static final int QUERIES = 150;
    private static final int K = 10;

    @TempDir
    Path tmp;

    @Test
    void recallStaysAbove95PercentThroughLiveFlushDeleteAndMerge() throws Exception {
        float[][] train = readImages(DATASET.resolve("train-images-idx3-ubyte.gz"), BASE + EXTRA);
        float[][] queries = readImages(DATASET.resolve("t10k-images-idx3-ubyte.gz"), QUERIES);
        int dim = train[0].length;
        IndexOptions opts = new IndexOptions(32, 100, 100, 2, 50_000, 10_000, 4, 1 << 20, 0);
        CollectionSchema schema = new CollectionSchema("fashion", "pixels", dim, "cosine");
        Set<String> deleted = new HashSet<>();
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("fashion"), schema, opts)) {
            long t0 = System.nanoTime();
            insert(c, train, 0, BASE);
            log.info("live build: {} vectors in {} ms", BASE, ms(t0));
            assertThat(c.liveSegmentDocuments()).isEqualTo(BASE);
            double live = recall(c, train, queries, i -> i < BASE, deleted, "(a) live segment");

            t0 = System.nanoTime();
            c.flush();
            log.info("flush (cleanup + PQ training + write): {} ms", ms(t0));
            assertThat(c.segmentCount()).isEqualTo(1);
            assertThat(c.diskSegments().stream().map(DiskSegment::hasFusedPq).toList()).containsExactly(true);
            assertThat(c.liveSegmentDocuments()).isZero();
            double flushed = recall(c, train, queries, i -> i < BASE, deleted, "(b) flushed, fused PQ");

            insert(c, train, BASE, BASE + EXTRA);
            double mixed = recall(c, train, queries, i -> true, deleted, "(c) live + flushed");

            for (int i = 0; i < BASE + EXTRA; i += 10) {
                assertThat(c.delete("f" + i)).isTrue();
                deleted.add("f" + i);
            }
            assertThat(c.documentCount()).isEqualTo(BASE + EXTRA - deleted.size());
            double afterDeletes = recall(c, train, queries, i -> i % 10 != 0, deleted, "(d) after deleting 10%");

            t0 = System.nanoTime();
            c.flush();
            c.merge();
            log.info("flush + merge of {} documents: {} ms", c.documentCount(), ms(t0));
            assertThat(c.segmentCount()).isEqualTo(1);
            assertThat(c.diskSegments().stream().map(DiskSegment::hasFusedPq).toList()).containsExactly(true);
            double merged = recall(c, train, queries, i -> i % 10 != 0, deleted, "(e) after merge");

            assertThat(live).isGreaterThanOrEqualTo(0.95);
            assertThat(flushed).isGreaterThanOrEqualTo(0.95);
            assertThat(mixed).isGreaterThanOrEqualTo(0.95);
            assertThat(afterDeletes).isGreaterThanOrEqualTo(0.95);
            assertThat(merged).isGreaterThanOrEqualTo(0.95);
        }
    }

    private static void insert(CollectionIndex c, float[][] vectors, int from, int to) throws IOException {
        for (int i = from; i < to; i += 1_000) {
            List<EmbeddedDocument> batch = new ArrayList<>();
            for (int j = i; j < Math.min(to, i + 1_000); j++) {
                batch.add(new EmbeddedDocument(new Document("f" + j, "image " + j, Map.of()), vectors[j]));
            }
            c.upsert(batch);
        }
    }

    /** Mean recall@10 of the index against exact search over the vectors {@code included} accepts. */
    private static double recall(CollectionIndex c, float[][] base, float[][] queries, IntPredicate included,
                                 Set<String> deleted, String label) {
        int limit = (int) Math.min(base.length, c.documentCount() + deleted.size());
        double sum = 0;
        long searchNanos = 0;
        for (float[] q : queries) {
            Set<String> exact = exactTopK(base, limit, q, included);
            long t = System.nanoTime();
            List<Hit> hits = c.search(q, K);
            searchNanos += System.nanoTime() - t;
            assertThat(hits).hasSize(K);
            int found = 0;
            for (Hit h : hits) {
                assertThat(deleted).doesNotContain(h.id());
                if (exact.contains(h.id())) found++;
            }
            sum += found / (double) K;
        }
        double r = sum / queries.length;
        log.info("{}: recall@10 = {} over {} queries, mean search {} µs", label, String.format("%.4f", r), queries.length,
                searchNanos / 1000 / queries.length);
        return r;
    }

    /** The ids ("f" + index) of the exact top-10 by dot product among the first {@code limit} vectors {@code included} accepts. */
    static Set<String> exactTopK(float[][] base, int limit, float[] q, IntPredicate included) {
        int[] best = new int[K];
        float[] score = new float[K];
        java.util.Arrays.fill(score, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < limit; i++) {
            if (!included.test(i)) continue;
            float s = 0;
            float[] v = base[i];
            for (int d = 0; d < v.length; d++) s += v[d] * q[d];
            if (s <= score[K - 1]) continue;
            int p = K - 1;
            while (p > 0 && score[p - 1] < s) {
                score[p] = score[p - 1];
                best[p] = best[p - 1];
                p--;
            }
            score[p] = s;
            best[p] = i;
        }
        Set<String> out = new HashSet<>();
        for (int b : best) out.add("f" + b);
        return out;
    }

    /** Reads the first {@code n} images of an IDX file as unit-length float vectors. */
    static float[][] readImages(Path file, int n) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalStateException("Fashion-MNIST not found at " + file
                    + ": install it with `apt-get install dataset-fashion-mnist` (CI installs it)");
        }
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw), 1 << 16))) {
            int magic = in.readInt();
            if (magic != 2051) throw new IOException(file + " is not an IDX image file (magic " + magic + ")");
            int count = in.readInt(), rows = in.readInt(), cols = in.readInt();
            int dim = rows * cols;
            float[][] out = new float[Math.min(n, count)][dim];
            byte[] px = new byte[dim];
            for (float[] v : out) {
                in.readFully(px);
                double norm = 0;
                for (int d = 0; d < dim; d++) {
                    v[d] = px[d] & 0xff;
                    norm += v[d] * v[d];
                }
                float inv = (float) (1 / Math.sqrt(norm));
                for (int d = 0; d < dim; d++) v[d] *= inv;
            }
            return out;
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
