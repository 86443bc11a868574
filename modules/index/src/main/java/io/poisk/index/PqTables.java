package io.poisk.index;

import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A PQ codebook laid out to build a query's lookup tables fast: for each subspace, the query's distance (or dot
 * product) to each of its centroids, so that a code scores as one table read per subspace.
 *
 * <p>Why not JVector's decoder: it builds the same tables with one native call per subspace, and on Fashion-MNIST's
 * 196 subspaces that set-up was a quarter of a query's samples (JFR, session 13). Here the codebook is transposed
 * once, dimension-major ({@code transposed[j * clusters + c]} is centroid c's coordinate j), so a block of 16
 * centroids' scores is summed in one register over the subspace's dimensions and stored once. Scoring a code is one
 * gather per 16 subspaces. Both use the Vector API (jdk.incubator.vector), which the launcher and the tests add;
 * without it {@link DiskSegment} keeps JVector's decoder.
 *
 * <p>Scores are higher-is-better: the negated squared distance for {@code EUCLIDEAN}, the dot product (less the
 * global centroid's constant share) for {@code DOT_PRODUCT}. They order codes as JVector's decoders do; they are not
 * its numbers, and nothing outside a graph walk sees them (the beam is rescored with full vectors).
 *
 * <p>Immutable once built, shared by every searching thread of a segment. Memory: one float per dimension and
 * centroid (384 KB for 384 dimensions), as much as the codebook itself.
 */
final class PqTables {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(F.vectorBitSize()));
    /** A code byte per float lane. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));

    private final int subspaces;
    private final int clusters;
    private final int dimension;
    /** Subspace m covers dimensions [starts[m], starts[m + 1]). */
    private final int[] starts;
    private final float[] transposed;
    /** Subtracted from the query for distances when the codebook was trained centred; null when it was not. */
    private final float[] centroid;
    private final boolean euclidean;
    /** {@code m * clusters} for every subspace m, padded to whole vectors. */
    private final int[] rowStarts;

    private PqTables(ProductQuantization pq, VectorSimilarityFunction similarity) {
        this.subspaces = pq.getSubspaceCount();
        this.clusters = pq.getClusterCount();
        this.dimension = pq.getOriginalDimension();
        this.euclidean = similarity == VectorSimilarityFunction.EUCLIDEAN;
        this.starts = new int[subspaces + 1];
        for (int m = 0; m < subspaces; m++) starts[m + 1] = starts[m] + pq.getSubvectorSize(m);
        if (starts[subspaces] != dimension) throw new IllegalStateException("PQ subspaces cover " + starts[subspaces] + " of " + dimension + " dimensions");
        this.transposed = new float[dimension * clusters];
        for (int m = 0; m < subspaces; m++) {
            VectorFloat<?> book = pq.getCodebookVector(m);
            int size = starts[m + 1] - starts[m];
            for (int c = 0; c < clusters; c++) {
                for (int d = 0; d < size; d++) transposed[(starts[m] + d) * clusters + c] = book.get(c * size + d);
            }
        }
        this.rowStarts = new int[subspaces + F.length()];
        for (int m = 0; m < rowStarts.length; m++) rowStarts[m] = m * clusters;
        VectorFloat<?> global = pq.getGlobalCentroid();
        if (global == null) {
            this.centroid = null;
        } else {
            this.centroid = new float[dimension];
            for (int j = 0; j < dimension; j++) centroid[j] = global.get(j);
        }
    }

    /**
     * Tables for {@code pq} under {@code similarity}, or null where codes are scored otherwise ({@code COSINE}, whose
     * decoder normalises each code and so needs two tables: JVector's decoder keeps those).
     */
    static PqTables of(ProductQuantization pq, VectorSimilarityFunction similarity) {
        if (similarity != VectorSimilarityFunction.EUCLIDEAN && similarity != VectorSimilarityFunction.DOT_PRODUCT) return null;
        if (pq.getClusterCount() % (4 * F.length()) != 0) return null;
        return new PqTables(pq, similarity);
    }

    int subspaces() {
        return subspaces;
    }

    /** A table for {@link #fill}: one float per subspace and centroid. */
    float[] newTable() {
        return new float[subspaces * clusters];
    }

    /**
     * Writes the query's squared distance (EUCLIDEAN) or dot product with every centroid:
     * {@code table[m * clusters + c]}. {@code query} is changed: for distances to a centred codebook it is centred in
     * place.
     */
    void fill(float[] query, float[] table) {
        if (query.length != dimension) throw new IllegalArgumentException("query has " + query.length + " dimensions, codebook " + dimension);
        if (euclidean) {
            if (centroid != null) for (int j = 0; j < dimension; j++) query[j] -= centroid[j];
            fillDistances(query, table);
        } else {
            fillDotProducts(query, table);
        }
    }

    // Four blocks of centroids at a time, each summed in its own register over the subspace's dimensions and stored
    // once: one block alone would wait on its chain of dependent multiply-adds (measured 4x slower). The two kinds
    // have a loop each so that no vector value passes through a branch.

    private void fillDistances(float[] query, float[] table) {
        int l = F.length();
        for (int m = 0; m < subspaces; m++) {
            int from = starts[m], to = starts[m + 1];
            for (int c = 0; c < clusters; c += 4 * l) {
                FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                for (int j = from; j < to; j++) {
                    int at = j * clusters + c;
                    float q = query[j];
                    FloatVector d0 = FloatVector.fromArray(F, transposed, at).sub(q);
                    FloatVector d1 = FloatVector.fromArray(F, transposed, at + l).sub(q);
                    FloatVector d2 = FloatVector.fromArray(F, transposed, at + 2 * l).sub(q);
                    FloatVector d3 = FloatVector.fromArray(F, transposed, at + 3 * l).sub(q);
                    s0 = d0.fma(d0, s0);
                    s1 = d1.fma(d1, s1);
                    s2 = d2.fma(d2, s2);
                    s3 = d3.fma(d3, s3);
                }
                store(table, m * clusters + c, s0, s1, s2, s3);
            }
        }
    }

    private void fillDotProducts(float[] query, float[] table) {
        int l = F.length();
        for (int m = 0; m < subspaces; m++) {
            int from = starts[m], to = starts[m + 1];
            for (int c = 0; c < clusters; c += 4 * l) {
                FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                for (int j = from; j < to; j++) {
                    int at = j * clusters + c;
                    FloatVector q = FloatVector.broadcast(F, query[j]);
                    s0 = FloatVector.fromArray(F, transposed, at).fma(q, s0);
                    s1 = FloatVector.fromArray(F, transposed, at + l).fma(q, s1);
                    s2 = FloatVector.fromArray(F, transposed, at + 2 * l).fma(q, s2);
                    s3 = FloatVector.fromArray(F, transposed, at + 3 * l).fma(q, s3);
                }
                store(table, m * clusters + c, s0, s1, s2, s3);
            }
        }
    }

    private static void store(float[] table, int at, FloatVector s0, FloatVector s1, FloatVector s2, FloatVector s3) {
        int l = F.length();
        s0.intoArray(table, at);
        s1.intoArray(table, at + l);
        s2.intoArray(table, at + 2 * l);
        s3.intoArray(table, at + 3 * l);
    }

    /**
     * The score of the code at {@code codes[from .. from + subspaces)} by a filled {@code table}; {@code scratch}: the
     * caller's {@link #newScratch()}, for the gather's indices.
     */
    float score(float[] table, byte[] codes, int from, int[] scratch) {
        FloatVector sum = FloatVector.zero(F);
        int m = 0;
        for (; m + F.length() <= subspaces; m += F.length()) {
            // Lanes are subspaces: index = m * clusters + (code & 0xff), then one gather from the table.
            IntVector index = ((IntVector) ByteVector.fromArray(B, codes, from + m).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0))
                    .add(IntVector.fromArray(I, rowStarts, m));
            index.intoArray(scratch, 0);
            sum = sum.add(FloatVector.fromArray(F, table, 0, scratch, 0));
        }
        float s = sum.reduceLanes(VectorOperators.ADD);
        for (; m < subspaces; m++) s += table[m * clusters + (codes[from + m] & 0xff)];
        return euclidean ? -s : s; // tables hold distances: the nearer, the higher the score
    }

    /** The indices a {@link #score} gathers by, one per lane. */
    int[] newScratch() {
        return new int[F.length()];
    }
}
