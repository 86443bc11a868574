package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.Hit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What keeping the largest input's graph saves a merge, and what it costs in recall: the merge the policy makes
 * most often (a new flush joined to a larger segment with a few deletes), on Fashion-MNIST, once seeded and once built
 * from nothing, in one JVM. Prints the merge time and recall@10 of each; asserts nothing.
 * <p>{@code mvn -o -q -pl modules/index test -Dtest=SeededMergeBench -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.base=30000 -Dbench.flush=6000]}
 */
@Tag("bench")
class SeededMergeBench {
    private static final int QUERIES = 200;
    private static final int K = 10;

    @TempDir
    Path tmp;

    @Test
    void seededAgainstFreshMerge() throws Exception {
        int base = Integer.getInteger("bench.base", 30_000);
        int flush = Integer.getInteger("bench.flush", 6_000);
        float[][] train = FashionMnistRecallTest.readImages(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"),
                base + flush);
        float[][] queries = FashionMnistRecallTest.readImages(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                QUERIES);
        StringBuilder out = new StringBuilder();
        for (boolean seed : new boolean[]{false, true}) {
            System.setProperty(SegmentMerger.SEED_PROPERTY, String.valueOf(seed));
            IndexOptions d = IndexOptions.defaults();
            IndexOptions opts = new IndexOptions(d.graphDegree(), d.constructionBeam(), d.searchBeam(), d.rescoreFactor(),
                    base + flush + 1, d.pqMinVectors(), d.mergeMaxSegments(), d.maxDocumentBytes(), 0);
            try (CollectionIndex c = CollectionIndex.create(tmp.resolve("c" + seed),
                    new CollectionSchema("m", null, train[0].length, "cosine"), opts)) {
                insert(c, train, 0, base);
                c.flush();
                insert(c, train, base, base + flush);
                c.flush();
                Set<String> deleted = new HashSet<>();
                for (int i = 0; i < base; i += 20) { // 5% of the larger segment
                    c.delete("f" + i);
                    deleted.add("f" + i);
                }
                long t0 = System.nanoTime();
                c.merge();
                long mergeMs = (System.nanoTime() - t0) / 1_000_000;
                double recall = recall(c, train, queries, deleted);
                out.append(String.format(Locale.ROOT, "%s merge of %d + %d vectors (%d deleted): %d ms, recall@10 %.4f, %d vectors inserted%n",
                        seed ? "seeded" : "fresh ", base, flush, deleted.size(), mergeMs, recall, c.mergeInsertions()));
            } finally {
                System.clearProperty(SegmentMerger.SEED_PROPERTY);
            }
        }
        System.out.print(out);
    }

    /** Upserts vectors[from..to) as documents f{i}, 1,000 per batch (also {@link FlushCodebookBench}'s). */
    static void insert(CollectionIndex c, float[][] vectors, int from, int to) throws Exception {
        for (int i = from; i < to; i += 1_000) {
            List<EmbeddedDocument> batch = new ArrayList<>();
            for (int j = i; j < Math.min(to, i + 1_000); j++) {
                batch.add(new EmbeddedDocument(new Document("f" + j, "", Map.of()), vectors[j]));
            }
            c.upsert(batch);
        }
    }

    /** Mean recall@10 of {@code queries} against the exact top-10 of {@code base} without {@code deleted}. */
    static double recall(CollectionIndex c, float[][] base, float[][] queries, Set<String> deleted) {
        double sum = 0;
        for (float[] q : queries) {
            Set<String> exact = FashionMnistRecallTest.exactTopK(base, base.length, q, i -> !deleted.contains("f" + i));
            int found = 0;
            for (Hit h : c.search(q, K)) if (exact.contains(h.id())) found++;
            sum += found / (double) K;
        }
        return sum / queries.length;
    }
}
