package io.poisk.index;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float-array kernels on the Vector API, for {@link ExactScores}. Loaded only where the JVM has the module
 * ({@link ExactScores#VECTOR_API}).
 */
final class SimdFloats {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private SimdFloats() {
    }

    /** The dot product, in two accumulators so that consecutive fused multiply-adds do not wait on each other. */
    static float dot(float[] a, float[] b) {
        int n = a.length;
        int step = F.length();
        int bound = F.loopBound(n);
        var even = FloatVector.zero(F);
        var odd = FloatVector.zero(F);
        int i = 0;
        for (; i + step < bound; i += 2 * step) {
            even = FloatVector.fromArray(F, a, i).fma(FloatVector.fromArray(F, b, i), even);
            odd = FloatVector.fromArray(F, a, i + step).fma(FloatVector.fromArray(F, b, i + step), odd);
        }
        for (; i < bound; i += step) even = FloatVector.fromArray(F, a, i).fma(FloatVector.fromArray(F, b, i), even);
        float sum = even.add(odd).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    static float squareDistance(float[] a, float[] b) {
        int n = a.length;
        int step = F.length();
        int bound = F.loopBound(n);
        var acc = FloatVector.zero(F);
        int i = 0;
        for (; i < bound; i += step) {
            var diff = FloatVector.fromArray(F, a, i).sub(FloatVector.fromArray(F, b, i));
            acc = diff.fma(diff, acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float diff = a[i] - b[i];
            sum += diff * diff;
        }
        return sum;
    }
}
