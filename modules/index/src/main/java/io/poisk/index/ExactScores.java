package io.poisk.index;

import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;

import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * Exact scores of in-memory vectors, held as float arrays: the live segment's searches and exact scans. It can also
 * build a graph ({@link BuildScores}), as it did until session 20; the engine builds by {@link Int8Scores}, whose
 * graphs found as much at a little over half the insertion CPU, and tests compare the two.
 * Scores are JVector's for the similarity, computed by our own Vector API loops ({@link SimdFloats}; plain loops
 * where the JVM lacks the Vector API).
 *
 * <p>Why not JVector's {@code randomAccessScoreProvider}: with its native provider every score is a foreign call on
 * a {@code MemorySegmentVectorFloat}, and scoring was 75-78% of a graph insertion (JFR, session 17); one random
 * 384-d pair out of 20,000 took 224-250 ns that way and 132-141 ns here ({@code DotProductBench}). With these
 * loops JVector's own insertion of 20,000 e5 vectors took 9.4-9.9 s of CPU instead of 12.6-14.0 s
 * ({@code GraphBuildBench}, same JVM, rotating).
 *
 * <p>Thread-safe; {@code vectors} must be, and must return a vector's array for every ordinal in the graph.
 */
final class ExactScores implements BuildScores {
    /** Whether this JVM has the Vector API ({@code --add-modules jdk.incubator.vector}, which the launcher adds). */
    static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final IntFunction<float[]> vectors;
    private final IntSupplier size;
    private final VectorSimilarityFunction similarity;

    /** {@code size}: how many ordinals {@code vectors} holds now (for the centroid). */
    ExactScores(IntFunction<float[]> vectors, IntSupplier size, VectorSimilarityFunction similarity) {
        this.vectors = vectors;
        this.size = size;
        this.similarity = similarity;
    }

    /** The scores of every vector against {@code query}. */
    @Override
    public ScoreFunction.ExactScoreFunction scoresTo(float[] query) {
        return switch (similarity) {
            case DOT_PRODUCT -> node -> (1 + dot(query, vectors.apply(node))) / 2;
            case EUCLIDEAN -> node -> 1 / (1 + squareDistance(query, vectors.apply(node)));
            case COSINE -> {
                float queryNorm = (float) Math.sqrt(dot(query, query));
                yield node -> {
                    float[] v = vectors.apply(node);
                    return (1 + dot(query, v) / (queryNorm * (float) Math.sqrt(dot(v, v)))) / 2;
                };
            }
        };
    }

    @Override
    public ScoreFunction.ExactScoreFunction scoresToNode(int node) {
        return scoresTo(vectors.apply(node));
    }

    @Override
    public VectorFloat<?> approximateCentroid() {
        int n = size.getAsInt();
        if (n == 0) throw new IllegalStateException("no vectors");
        float[] sum = new float[vectors.apply(0).length];
        for (int o = 0; o < n; o++) {
            float[] v = vectors.apply(o);
            for (int d = 0; d < sum.length; d++) sum[d] += v[d];
        }
        for (int d = 0; d < sum.length; d++) sum[d] /= n;
        return LiveSegment.VTS.createFloatVector(sum);
    }

    static float dot(float[] a, float[] b) {
        if (VECTOR_API) return SimdFloats.dot(a, b);
        float sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
    }

    static float squareDistance(float[] a, float[] b) {
        if (VECTOR_API) return SimdFloats.squareDistance(a, b);
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            float diff = a[i] - b[i];
            sum += diff * diff;
        }
        return sum;
    }
}
