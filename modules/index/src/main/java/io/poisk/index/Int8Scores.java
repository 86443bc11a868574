package io.poisk.index;

import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.apache.lucene.util.VectorUtil;

import java.util.Arrays;

/**
 * Scores for graph building from one-byte copies of the vectors: each vector scaled by its own largest absolute
 * component to [-127, 127] and rounded, so that a dot product is an integer dot product (Lucene's {@link VectorUtil},
 * on the Vector API) times the two scales. Scores are on JVector's scale for the similarity, as {@link ExactScores}
 * gives them, so either may build a graph. Besides the building, only the live segment's walk scores by these (its
 * beam then rescored exactly); every score a hit reports comes from the full vectors. A merge holds these codes for
 * every vector it merges, beside the floats it writes.
 *
 * <p>Why: a graph insertion is mostly dot products, and those mostly wait on memory (a 384-d float vector is 24
 * cache lines). A copy a quarter the size is read in a quarter of the lines.
 *
 * <p>Append-only with one writer, in pages, as {@link LiveVectors}; readers ask only for ordinals they learned of
 * after the append. Thread-safe for readers.
 */
final class Int8Scores implements BuildScores {
    private static final int PAGE_BITS = 10;
    private static final int PAGE = 1 << PAGE_BITS;

    private final int dimension;
    private final VectorSimilarityFunction similarity;
    private volatile byte[][][] codePages = new byte[0][][];
    /** Per ordinal: the code's scale (the vector is about code × scale), and the squared length of code × scale. */
    private volatile float[][] scalePages = new float[0][];
    private volatile float[][] normPages = new float[0][];
    private volatile int size;

    Int8Scores(int dimension, VectorSimilarityFunction similarity) {
        // An integer dot product is at most 127² per dimension: within an int up to 133,144 dimensions (the API allows 8,192).
        if (dimension < 1 || dimension > Integer.MAX_VALUE / (127 * 127)) throw new IllegalArgumentException("dimension " + dimension);
        this.dimension = dimension;
        this.similarity = similarity;
    }

    /** Quantizes and stores the vector of the next ordinal, which it returns. Single writer. */
    int append(float[] vector) {
        if (vector.length != dimension) throw new IllegalArgumentException("dimension " + vector.length + ", expected " + dimension);
        int ordinal = size;
        int page = ordinal >>> PAGE_BITS, slot = ordinal & (PAGE - 1);
        byte[][][] c = codePages;
        float[][] s = scalePages, n = normPages;
        if (page == c.length) {
            c = Arrays.copyOf(c, page + 1);
            c[page] = new byte[PAGE][];
            s = Arrays.copyOf(s, page + 1);
            s[page] = new float[PAGE];
            n = Arrays.copyOf(n, page + 1);
            n[page] = new float[PAGE];
        }
        byte[] code = new byte[dimension];
        float scale = quantize(vector, code);
        c[page][slot] = code;
        s[page][slot] = scale;
        // The length of the code's vector, not of the vector given: then a vector is at distance 0 from itself, and
        // a Euclidean distance is the one between the two codes' vectors, not a difference of unrelated errors.
        n[page][slot] = VectorUtil.dotProduct(code, code) * scale * scale;
        codePages = c;
        scalePages = s;
        normPages = n;
        size = ordinal + 1;
        return ordinal;
    }

    int size() {
        return size;
    }

    /** Writes the code of {@code vector} into {@code code} and returns its scale (0 for a zero vector). */
    private static float quantize(float[] vector, byte[] code) {
        float max = 0;
        for (float x : vector) max = Math.max(max, Math.abs(x));
        if (max == 0) return 0;
        float toCode = 127 / max;
        for (int d = 0; d < vector.length; d++) code[d] = (byte) Math.round(vector[d] * toCode);
        return max / 127;
    }

    /**
     * The scores of every node against {@code query}, itself coded as the nodes are: for a walk whose beam is then
     * rescored exactly ({@link LiveSegment#search}).
     */
    @Override
    public ScoreFunction.ExactScoreFunction scoresTo(float[] query) {
        if (query.length != dimension) throw new IllegalArgumentException("dimension " + query.length + ", expected " + dimension);
        byte[] code = new byte[dimension];
        float scale = quantize(query, code);
        return scores(code, scale, VectorUtil.dotProduct(code, code) * scale * scale);
    }

    @Override
    public ScoreFunction.ExactScoreFunction scoresToNode(int node) {
        return scores(code(node), scale(node), squaredNorm(node));
    }

    private ScoreFunction.ExactScoreFunction scores(byte[] query, float queryScale, float queryNorm) {
        // The page tables are read at every score, not once here: nodes appended after this call (concurrent insertions)
        // may be on pages the tables held then did not have.
        return switch (similarity) {
            case DOT_PRODUCT -> other -> (1 + dot(query, queryScale, other)) / 2;
            case EUCLIDEAN -> other -> 1 / (1 + Math.max(0, queryNorm + squaredNorm(other) - 2 * dot(query, queryScale, other)));
            case COSINE -> other -> (1 + dot(query, queryScale, other) / (float) Math.sqrt(queryNorm * squaredNorm(other))) / 2;
        };
    }

    /**
     * The dot product of a vector (its code and scale) with the vector of {@code other}, as the codes give it. The two
     * scales are multiplied first, so that a pair scores the same from either side to the last bit (JVector's graph
     * load wants every list in score order, and a back-link is scored from the other side).
     */
    private float dot(byte[] code, float scale, int other) {
        return VectorUtil.dotProduct(code, code(other)) * (scale * scale(other));
    }

    private byte[] code(int ordinal) {
        return codePages[ordinal >>> PAGE_BITS][ordinal & (PAGE - 1)];
    }

    private float scale(int ordinal) {
        return scalePages[ordinal >>> PAGE_BITS][ordinal & (PAGE - 1)];
    }

    private float squaredNorm(int ordinal) {
        return normPages[ordinal >>> PAGE_BITS][ordinal & (PAGE - 1)];
    }

    @Override
    public VectorFloat<?> approximateCentroid() {
        int n = size;
        if (n == 0) throw new IllegalStateException("no vectors");
        float[] sum = new float[dimension];
        for (int o = 0; o < n; o++) {
            byte[] code = code(o);
            float scale = scale(o);
            for (int d = 0; d < dimension; d++) sum[d] += code[d] * scale;
        }
        for (int d = 0; d < dimension; d++) sum[d] /= n;
        return LiveSegment.VTS.createFloatVector(sum);
    }
}
