package io.poisk.index;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

/**
 * What a graph walk's scoring costs by how its vectors are held: 30 neighbours picked at random out of n 384-d unit
 * vectors scored against one query, as float arrays ({@link ExactScores#dot}) and as {@link Int8Scores}' one-byte
 * codes, at n = 20,000 (the codes fit in the last-level cache, the floats do not) and 200,000 (neither does). Prints
 * ns per score; asserts nothing.
 * <p>{@code mvn -o -q -pl modules/index test -Dtest=ScoreLayoutBench -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("bench")
class ScoreLayoutBench {
    @Test
    void floatsAgainstCodes() {
        int dim = 384, groups = 100_000, fan = 30;
        for (int n : new int[]{20_000, 200_000}) {
            Random r = new Random(1);
            float[][] floats = new float[n][];
            var codes = new Int8Scores(dim, VectorSpace.COSINE.exact());
            for (int i = 0; i < n; i++) {
                floats[i] = VectorSpace.COSINE.prepare(TestVectors.unit(r, dim));
                codes.append(floats[i]);
            }
            int[] picks = new int[groups * fan];
            for (int i = 0; i < picks.length; i++) picks[i] = r.nextInt(n);
            int[] queries = new int[groups];
            for (int i = 0; i < groups; i++) queries[i] = r.nextInt(n);
            for (int round = 0; round < 4; round++) {
                long t0 = System.nanoTime();
                double sumFloats = 0;
                for (int g = 0; g < groups; g++) {
                    float[] q = floats[queries[g]];
                    for (int j = 0; j < fan; j++) sumFloats += ExactScores.dot(q, floats[picks[g * fan + j]]);
                }
                long t1 = System.nanoTime();
                double sumCodes = 0;
                for (int g = 0; g < groups; g++) {
                    var score = codes.scoresToNode(queries[g]);
                    for (int j = 0; j < fan; j++) sumCodes += score.similarityTo(picks[g * fan + j]);
                }
                long t2 = System.nanoTime();
                double scores = (double) groups * fan;
                System.out.printf(Locale.ROOT, "n=%d round %d: floats %.1f ns, codes %.1f ns per score (sums %.1f, %.1f)%n",
                        n, round, (t1 - t0) / scores, (t2 - t1) / scores, sumFloats, sumCodes);
            }
        }
    }
}
