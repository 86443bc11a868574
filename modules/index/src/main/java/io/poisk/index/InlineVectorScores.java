package io.poisk.index;

import io.github.jbellis.jvector.disk.RandomAccessReader;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.disk.feature.FeatureId;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A query's exact scores on one fused-PQ segment, from the full vectors its graph records hold inline: what
 * {@link FusedGraphSearch} rescores its beam with. Scores are JVector's for the similarity, as its reranker gives
 * them.
 *
 * <p>Why not JVector's reranker ({@code View.rerankerFor}): it copies each vector's big-endian floats with a byte swap
 * per vector ({@code Unsafe.copySwapMemory}, a native call) into a vector object, and rescoring a beam of 80 took a
 * fifth of a Javadoc query's CPU, 0.38 µs per vector (session 21). Here the bytes are copied as they are and swapped
 * in registers ({@link SimdFloats#decodeBigEndian}).
 *
 * <p>One per searching thread and segment, reused by every query ({@link #reset}); not thread-safe. Needs the Vector
 * API, as {@link PqTables} does.
 */
final class InlineVectorScores implements ScoreFunction.ExactScoreFunction {
    private final RandomAccessReader reader;
    private final FusedScores.RecordLayout layout;
    private final byte[] bytes;
    private final float[] vector;
    private final float[] query;
    private boolean euclidean;

    /** {@code layout}: the segment's, with its vectors' place ({@link FusedScores.RecordLayout#hasVectors}). */
    InlineVectorScores(OnDiskGraphIndex.View view, FusedScores.RecordLayout layout, int dimension) {
        if (!layout.hasVectors()) throw new IllegalArgumentException("the layout has no inline vectors");
        try {
            this.reader = view.featureReaderForNode(0, FeatureId.INLINE_VECTORS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.layout = layout;
        this.bytes = new byte[dimension * Float.BYTES];
        this.vector = new float[dimension];
        this.query = new float[dimension];
    }

    /** Prepares for a new query under {@code similarity}: DOT_PRODUCT or EUCLIDEAN, the exact ones a segment uses. */
    InlineVectorScores reset(VectorFloat<?> query, VectorSimilarityFunction similarity) {
        if (query.length() != this.query.length) throw new IllegalArgumentException("query has " + query.length() + " dimensions, the segment " + this.query.length);
        this.euclidean = switch (similarity) {
            case DOT_PRODUCT -> false;
            case EUCLIDEAN -> true;
            case COSINE -> throw new IllegalArgumentException("segments are rescored by DOT_PRODUCT or EUCLIDEAN, not " + similarity);
        };
        for (int i = 0; i < this.query.length; i++) this.query[i] = query.get(i);
        return this;
    }

    @Override
    public float similarityTo(int node) {
        try {
            reader.seek(layout.vectorAt(node));
            reader.readFully(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SimdFloats.decodeBigEndian(bytes, vector);
        return euclidean ? 1 / (1 + SimdFloats.squareDistance(query, vector)) : (1 + SimdFloats.dot(query, vector)) / 2;
    }
}
