package io.poisk.index;

import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

/**
 * One dot product of two 384-d vectors picked at random out of 20,000 (so mostly out of cache, as in a graph walk):
 * JVector's {@code DOT_PRODUCT.compare} on its own vectors (with the native provider, a foreign call per score)
 * against {@link ExactScores#dot} on float arrays, alternating in one JVM. Prints ns per score; asserts nothing.
 * <p>{@code mvn -o -q -pl modules/index test -Dtest=DotProductBench -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("bench")
class DotProductBench {
    @Test
    void jvectorsAgainstOurs() {
        int n = 20_000, dim = 384, pairs = 2_000_000;
        Random r = new Random(1);
        float[][] arrays = new float[n][dim];
        VectorFloat<?>[] views = new VectorFloat<?>[n];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++) arrays[i][d] = (float) r.nextGaussian();
            views[i] = LiveSegment.VTS.createFloatVector(arrays[i].clone()); // its own copy, as JVector's scores had
        }
        int[] picks = new int[pairs + 1];
        for (int i = 0; i < picks.length; i++) picks[i] = r.nextInt(n);
        System.out.printf(Locale.ROOT, "# %s, Vector API %s%n", VectorizationProvider.getInstance().getClass().getSimpleName(), ExactScores.VECTOR_API);
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            double jvector = 0;
            for (int i = 0; i < pairs; i++) jvector += VectorSimilarityFunction.DOT_PRODUCT.compare(views[picks[i]], views[picks[i + 1]]);
            long t1 = System.nanoTime();
            double ours = 0;
            for (int i = 0; i < pairs; i++) ours += (1 + ExactScores.dot(arrays[picks[i]], arrays[picks[i + 1]])) / 2;
            long t2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "round %d: JVector %.1f ns, ours %.1f ns per score (sums %.3f / %.3f)%n",
                    round, (t1 - t0) / (double) pairs, (t2 - t1) / (double) pairs, jvector, ours);
        }
    }
}
