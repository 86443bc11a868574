package io.poisk.index;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Float-array kernels on the Vector API, for {@link ExactScores} and {@link InlineVectorScores}. Loaded only where
 * the JVM has the module ({@link ExactScores#VECTOR_API}).
 */
final class SimdFloats {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** As many bytes as {@link #F} has floats' worth. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize()));
    /** Reverses the bytes of each float. */
    private static final VectorShuffle<Byte> SWAP = VectorShuffle.fromOp(B, i -> (i & ~3) + 3 - (i & 3));
    private static final VarHandle FLOAT_BE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.BIG_ENDIAN);

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

    /** Decodes {@code to.length} big-endian floats from the start of {@code from}, a vector's worth at a time. */
    static void decodeBigEndian(byte[] from, float[] to) {
        int n = to.length;
        int step = F.length();
        int bound = F.loopBound(n);
        int i = 0;
        for (; i < bound; i += step) {
            ByteVector.fromArray(B, from, i * Float.BYTES).rearrange(SWAP).reinterpretAsFloats().intoArray(to, i);
        }
        for (; i < n; i++) to[i] = (float) FLOAT_BE.get(from, i * Float.BYTES);
    }
}
