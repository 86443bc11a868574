package io.poisk.eval.bench;

import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The scale benchmark's own arithmetic: noisy copies, sigma, slopes, percentiles (no server, no model). */
class ScaleBenchmarkLogicTest {
    private static float[][] unitVectors(int n, int dim, long seed) {
        Random r = new Random(seed);
        float[][] out = new float[n][dim];
        for (float[] v : out) {
            for (int d = 0; d < dim; d++) v[d] = (float) r.nextGaussian();
            VectorUtil.l2normalize(v);
        }
        return out;
    }

    @Test
    void aNoisyCopyDependsOnlyOnTheSeedAndItsIndexAndIsUnitLength() {
        float[][] real = unitVectors(10, 384, 1);
        NoisyCopies a = new NoisyCopies(real, 0.01, 14);
        float[][] made = a.first(50);
        // the same set again, made one at a time in reverse: every vector equal (a prefix of a larger set too)
        NoisyCopies b = new NoisyCopies(real, 0.01, 14);
        for (int i = 49; i >= 0; i--) assertThat(b.vector(i)).containsExactly(made[i]);
        assertThat(java.util.Arrays.copyOf(new NoisyCopies(real, 0.01, 14).first(200), 50)).isDeepEqualTo(made);
        // another seed moves every vector
        assertThat(new NoisyCopies(real, 0.01, 15).vector(3)).isNotEqualTo(made[3]);
        for (float[] v : made) assertThat(VectorUtil.dotProduct(v, v)).isCloseTo(1f, within(1e-5f));
    }

    @Test
    void theNoiseNormIsTheChosenFractionOfTheNearestNeighbourDistance() {
        int dim = 384;
        double sigma = NoisyCopies.sigmaFor(0.4, 0.5, dim);
        assertThat(sigma * Math.sqrt(dim)).isCloseTo(0.2, within(1e-12));
        // copy i of real vector i % B sits about that far from its source (before re-normalisation bends it a little)
        float[][] real = unitVectors(4, dim, 2);
        NoisyCopies copies = new NoisyCopies(real, sigma, 7);
        for (int i = 0; i < 40; i++) {
            float[] c = copies.vector(i);
            double distance = Math.sqrt(Math.max(0, 2 - 2 * VectorUtil.dotProduct(c, real[i % 4])));
            assertThat(distance).isCloseTo(0.2, within(0.03));
        }
    }

    @Test
    void theMedianNearestNeighbourDistanceOfUnitVectors() {
        // four unit vectors on a circle in 2-d at 0, 90, 180 and 270 degrees: every nearest neighbour is sqrt(2) away
        float[][] square = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
        assertThat(NoisyCopies.medianNearestDistance(square, 4)).isCloseTo(Math.sqrt(2), within(1e-6));
        // a duplicate pair makes two of five distances 0; the median of (0, 0, s, s, s) is s
        float[][] withDuplicate = {{1, 0}, {1, 0}, {0, 1}, {-1, 0}, {0, -1}};
        assertThat(NoisyCopies.medianNearestDistance(withDuplicate, 5)).isCloseTo(Math.sqrt(2), within(1e-6));
    }

    @Test
    void theSlopeIsTheMarginalCostAndTheProjectionsBracketIt() {
        // 100k -> 60 s, 300k -> 200 s: 0.7 ms per vector in between; the line gives 200 + 9.7M * 0.0007 s at 10M
        ScaleSlope s = new ScaleSlope(100_000, 60, 300_000, 200);
        assertThat(s.perVector()).isCloseTo(0.0007, within(1e-12));
        assertThat(s.linearAt(10_000_000)).isCloseTo(200 + 9_700_000 * 0.0007, within(1e-6));
        assertThat(s.exponent()).isCloseTo(Math.log(200.0 / 60) / Math.log(3), within(1e-12));
        assertThat(s.powerLawAt(300_000)).isCloseTo(200, within(1e-9));
        assertThat(s.powerLawAt(100_000)).isCloseTo(60, within(1e-9));
        // exactly linear costs: both projections agree
        ScaleSlope linear = new ScaleSlope(1_000, 10, 2_000, 20);
        assertThat(linear.exponent()).isCloseTo(1, within(1e-12));
        assertThat(linear.powerLawAt(10_000)).isCloseTo(linear.linearAt(10_000), within(1e-9));
        assertThat(new ScaleSlope(1, 0, 2, 5).exponent()).isNaN();
    }

    @Test
    void percentilesAreNearestRankAndNeighbourListsCountTheirSources() {
        double[] ms = new double[100];
        for (int i = 0; i < 100; i++) ms[i] = i + 1;
        assertThat(ScaleBenchmark.percentile(ms, 0.50)).isEqualTo(50);
        assertThat(ScaleBenchmark.percentile(ms, 0.99)).isEqualTo(99);
        assertThat(ScaleBenchmark.percentile(new double[]{7}, 0.99)).isEqualTo(7);
        // rows 0, 10, 20 are copies of real vector 0 (10 real vectors): one source; 1 and 11 of real vector 1, 2 of 2: two
        assertThat(ScaleBenchmark.distinctSources(new int[][]{{0, 10, 20}, {1, 11, 2}}, 10)).isCloseTo(1.5, within(1e-12));
    }

    @Test
    void anNdjsonLineIsOneDocumentWithItsRowAsId() {
        byte[] body = HttpVectors.ndjson(new float[][]{{0.5f, -0.25f}, {1f, 0f}}, 1, 2);
        assertThat(new String(body, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"1\",\"vector\":[1.0,0.0]}\n");
    }

    @Test
    void aJavadocCommentBecomesOneLineOfProse() {
        String comment = "\n     * Returns the {@code int} value of this <b>number</b>,\n     * rounded.\n     *\n     * @param x ignored\n     ";
        assertThat(JavadocSentences.clean(comment, 300)).isEqualTo("Returns the int value of this number , rounded.");
        assertThat(JavadocSentences.clean(comment, 20)).isEqualTo("Returns the int");
    }
}
