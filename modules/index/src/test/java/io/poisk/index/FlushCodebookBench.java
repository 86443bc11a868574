package io.poisk.index;

import io.poisk.core.CollectionSchema;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * What keeping the largest segment's PQ codebook saves a flush, and what it costs in recall: a collection's second
 * flush on Fashion-MNIST (784-d), once training its own codebook and once keeping the first segment's, alternating in
 * one JVM. Prints the second flush's time and the collection's recall@10; asserts nothing.
 * <p>{@code mvn -o -q -pl modules/index test -Dtest=FlushCodebookBench -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.flush=20000 -Dbench.rounds=2]}
 */
@Tag("bench")
class FlushCodebookBench {
    private static final int QUERIES = 200;

    @TempDir
    Path tmp;

    @Test
    void keptAgainstTrainedCodebook() throws Exception {
        int flush = Integer.getInteger("bench.flush", 20_000);
        int rounds = Integer.getInteger("bench.rounds", 2);
        float[][] train = FashionMnistRecallTest.readImages(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"),
                2 * flush);
        float[][] queries = FashionMnistRecallTest.readImages(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"),
                QUERIES);
        StringBuilder out = new StringBuilder();
        for (int round = 1; round <= rounds; round++) {
            for (boolean keep : new boolean[]{false, true}) {
                System.setProperty(KeptCodebook.PROPERTY, String.valueOf(keep));
                IndexOptions d = IndexOptions.defaults();
                IndexOptions opts = new IndexOptions(d.graphDegree(), d.constructionBeam(), d.searchBeam(), d.rescoreFactor(),
                        flush + 1, d.pqMinVectors(), d.mergeMaxSegments(), d.maxDocumentBytes(), 0);
                try (CollectionIndex c = CollectionIndex.create(tmp.resolve("c" + round + keep),
                        new CollectionSchema("f", null, train[0].length, "cosine"), opts)) {
                    SeededMergeBench.insert(c, train, 0, flush);
                    c.flush();
                    SeededMergeBench.insert(c, train, flush, 2 * flush);
                    long t0 = System.nanoTime();
                    c.flush();
                    long flushMs = (System.nanoTime() - t0) / 1_000_000;
                    boolean same = c.diskSegments().get(1).pqCodebook().equals(c.diskSegments().get(0).pqCodebook());
                    out.append(String.format(Locale.ROOT, "round %d, %s: second flush of %d vectors %d ms, recall@10 %.4f over both%n",
                            round, same ? "codebook kept   " : "codebook trained", flush, flushMs, SeededMergeBench.recall(c, train, queries, Set.of())));
                } finally {
                    System.clearProperty(KeptCodebook.PROPERTY);
                }
            }
        }
        System.out.print(out);
    }
}
