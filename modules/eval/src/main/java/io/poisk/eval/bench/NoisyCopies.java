package io.poisk.eval.bench;

import org.apache.lucene.util.VectorUtil;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Grows a set of real embeddings to any size: vector i is real vector {@code i mod B} plus isotropic Gaussian noise
 * of standard deviation {@code sigma} per dimension, re-normalised. Vector i depends only on (seed, i), so a set is
 * the same whatever its size or the order it is made in, and a larger set contains every smaller one as its prefix.
 *
 * <p>The noise norm is about {@code sigma * sqrt(d)}; {@link #sigmaFor} picks sigma so that it equals a chosen
 * fraction of the real vectors' median nearest-neighbour distance: copies of one text then land as far from each
 * other as different texts typically are, so the neighbour lists mix texts instead of returning one text's copies.
 */
final class NoisyCopies {
    private final float[][] real;
    private final double sigma;
    private final long seed;

    NoisyCopies(float[][] real, double sigma, long seed) {
        if (real.length == 0) throw new IllegalArgumentException("no real vectors");
        this.real = real;
        this.sigma = sigma;
        this.seed = seed;
    }

    /** Vector {@code i}: a fresh array of unit length. */
    float[] vector(long i) {
        return noisy(real[(int) (i % real.length)], sigma, seed, i);
    }

    /** The first {@code n} vectors, made in parallel. */
    float[][] first(int n) {
        float[][] out = new float[n][];
        IntStream.range(0, n).parallel().forEach(i -> out[i] = vector(i));
        return out;
    }

    /** {@code v} plus N(0, sigma²) in every dimension from the stream of (seed, index), scaled to unit length. */
    static float[] noisy(float[] v, double sigma, long seed, long index) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        float[] out = new float[v.length];
        double norm = 0;
        for (int d = 0; d < v.length; d++) {
            out[d] = (float) (v[d] + sigma * r.nextGaussian());
            norm += (double) out[d] * out[d];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < v.length; d++) out[d] *= scale;
        return out;
    }

    /** Sigma whose expected noise norm ({@code sigma * sqrt(d)}) is {@code ratio} times {@code nnDistance}. */
    static double sigmaFor(double nnDistance, double ratio, int dimension) {
        return ratio * nnDistance / Math.sqrt(dimension);
    }

    /**
     * The median Euclidean distance from each of the first {@code sample} unit vectors to its nearest other vector
     * of {@code set} (brute force, in parallel).
     */
    static double medianNearestDistance(float[][] set, int sample) {
        int n = Math.min(sample, set.length);
        double[] d = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            float best = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < set.length; j++) {
                if (j != i) best = Math.max(best, VectorUtil.dotProduct(set[i], set[j]));
            }
            d[i] = Math.sqrt(Math.max(0, 2 - 2 * best)); // unit vectors: |a - b|² = 2 - 2 a·b
        });
        Arrays.sort(d);
        return n % 2 == 1 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
    }
}
