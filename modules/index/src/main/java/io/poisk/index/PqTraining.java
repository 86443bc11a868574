package io.poisk.index;

import io.github.jbellis.jvector.disk.ByteBufferReader;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.ByteSequence;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * PQ codebooks trained and applied as JVector's {@code ProductQuantization} does it for Poisk's segments (unweighted,
 * not centred): the same split of the dimensions into subspaces, per subspace k-means++ seeding then Lloyd iterations
 * (JVector's count) over the training sample, and every vector encoded by its nearest centroid in each subspace.
 * The codebook is a JVector {@code ProductQuantization} (read from the serialized form JVector writes), so the graph
 * writer, the decoders and {@link PqTables} take it as they took JVector's.
 *
 * <p>Why not JVector's k-means: it computes one distance per point and centroid through its vector provider, and
 * training on 5,000 vectors plus encoding 20,000 was 1.2-1.5 s of CPU in a 20,000-vector flush of e5 vectors, about
 * a quarter of what the graph insertions cost (218 samples against 897; JFR, session 18). Here centroids are stored dimension-major, as
 * {@link PqTables} stores them, and a point's distances to a block of centroids are one Vector API multiply-add per
 * dimension of the subspace; seeding scores blocks of points the same way.
 *
 * <p>Deterministic for a given sample and seed. Needs the Vector API ({@link ExactScores#VECTOR_API}) and a cluster
 * count that is a whole number of vector lanes; {@link #supports} says whether the caller must use JVector's instead.
 */
final class PqTraining {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, VectorShape.forBitSize(F.vectorBitSize()));
    private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();
    /** JVector's {@code ProductQuantization.K_MEANS_ITERATIONS}. */
    static final int ITERATIONS = ProductQuantization.K_MEANS_ITERATIONS;
    /** The serialized form this class writes: JVector's PQ format, version 3 (magic, version, centroid, subspaces...). */
    private static final int PQ_MAGIC = 1978417170;
    private static final int PQ_VERSION = 3;
    /** JVector's {@code KMeansPlusPlusClusterer.UNWEIGHTED}: no anisotropic weighting. */
    private static final float UNWEIGHTED = -1.0f;

    private PqTraining() {
    }

    /** Whether {@link #train} can train {@code clusters} centroids on {@code samples} points. */
    static boolean supports(int clusters, int samples) {
        return ExactScores.VECTOR_API && clusters % F.length() == 0 && samples >= clusters;
    }

    /**
     * A codebook of {@code clusters} centroids in each of {@code subspaces} subspaces, trained on {@code sample}
     * (the subspaces in parallel on {@code pool}); {@code seed} draws the seeding.
     */
    static ProductQuantization train(List<float[]> sample, int subspaces, int clusters, long seed, ForkJoinPool pool) {
        int dimension = sample.getFirst().length;
        if (!supports(clusters, sample.size())) throw new IllegalArgumentException(clusters + " clusters on " + sample.size() + " points");
        int[] sizes = subvectorSizes(dimension, subspaces);
        int[] offsets = new int[subspaces];
        for (int m = 1; m < subspaces; m++) offsets[m] = offsets[m - 1] + sizes[m - 1];
        float[][] books = new float[subspaces][];
        pool.submit(() -> IntStream.range(0, subspaces).parallel().forEach(m ->
                books[m] = new Subspace(sample, offsets[m], sizes[m], clusters).train(new Random(seed * 31 + m)))).join();
        return codebook(books, sizes, clusters, dimension);
    }

    /** Whether {@link #encode} encodes for {@code pq} as JVector would: unweighted, not centred, whole blocks of centroids. */
    static boolean encodes(ProductQuantization pq) {
        return ExactScores.VECTOR_API && pq.getGlobalCentroid() == null && pq.getClusterCount() % F.length() == 0;
    }

    /** Every vector's code under {@code pq} (see {@link #encodes}), encoded in parallel on {@code pool}. */
    static PQVectors encode(ProductQuantization pq, IntFunction<float[]> vectors, int count, ForkJoinPool pool) {
        int subspaces = pq.getSubspaceCount();
        int clusters = pq.getClusterCount();
        Subspace.Centroids[] books = new Subspace.Centroids[subspaces];
        int[] offsets = new int[subspaces];
        for (int m = 0; m < subspaces; m++) {
            int size = pq.getSubvectorSize(m);
            if (m > 0) offsets[m] = offsets[m - 1] + pq.getSubvectorSize(m - 1);
            float[] book = new float[clusters * size];
            var v = pq.getCodebookVector(m);
            for (int i = 0; i < book.length; i++) book[i] = v.get(i);
            books[m] = new Subspace.Centroids(book, size, clusters);
        }
        ByteSequence<?>[] codes = new ByteSequence<?>[count];
        pool.submit(() -> IntStream.range(0, count).parallel().forEach(i -> {
            float[] x = vectors.apply(i);
            byte[] code = new byte[subspaces];
            for (int m = 0; m < subspaces; m++) code[m] = (byte) books[m].nearest(x, offsets[m]);
            codes[i] = VTS.createByteSequence(code);
        })).join();
        return pq.createCompressedVectors(codes);
    }

    /** JVector's split: {@code dimension / subspaces} each, one more for the first {@code dimension % subspaces}. */
    static int[] subvectorSizes(int dimension, int subspaces) {
        if (subspaces > dimension) throw new IllegalArgumentException(subspaces + " subspaces for " + dimension + " dimensions");
        int[] sizes = new int[subspaces];
        for (int m = 0; m < subspaces; m++) sizes[m] = dimension / subspaces + (m < dimension % subspaces ? 1 : 0);
        return sizes;
    }

    /** The codebook as JVector reads it back ({@code ProductQuantization.load}), centroids point-major. */
    private static ProductQuantization codebook(float[][] books, int[] sizes, int clusters, int dimension) {
        int floats = 0;
        for (float[] b : books) floats += b.length;
        ByteBuffer out = ByteBuffer.allocate(4 * (6 + sizes.length) + 4 * floats); // big-endian, as JVector writes
        out.putInt(PQ_MAGIC).putInt(PQ_VERSION);
        out.putInt(0); // no global centroid: the vectors are not centred
        out.putInt(sizes.length);
        for (int s : sizes) out.putInt(s);
        out.putFloat(UNWEIGHTED);
        out.putInt(clusters);
        for (float[] b : books) for (float f : b) out.putFloat(f);
        out.flip();
        try {
            ProductQuantization pq = ProductQuantization.load(new ByteBufferReader(out));
            if (pq.getOriginalDimension() != dimension || pq.getClusterCount() != clusters || pq.getSubspaceCount() != sizes.length) {
                throw new IllegalStateException("JVector read back a codebook of another shape: " + pq);
            }
            return pq;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One subspace's k-means over the sample. */
    private static final class Subspace {
        private final int n;
        private final int size;
        private final int clusters;
        /** The sample's subvectors, point-major ({@code points[i * size + d]}) and dimension-major ({@code [d * n + i]}). */
        private final float[] points;
        private final float[] pointsByDimension;

        Subspace(List<float[]> sample, int offset, int size, int clusters) {
            this.n = sample.size();
            this.size = size;
            this.clusters = clusters;
            this.points = new float[n * size];
            this.pointsByDimension = new float[size * paddedPoints()];
            for (int i = 0; i < n; i++) {
                float[] v = sample.get(i);
                for (int d = 0; d < size; d++) {
                    points[i * size + d] = v[offset + d];
                    pointsByDimension[d * paddedPoints() + i] = v[offset + d];
                }
            }
        }

        private int paddedPoints() {
            return (n + F.length() - 1) / F.length() * F.length();
        }

        /** Centroids, point-major: k-means++ seeding, then Lloyd iterations until none moves a point or JVector's count. */
        float[] train(Random random) {
            Centroids centroids = new Centroids(seed(random), size, clusters);
            int[] assigned = new int[n];
            java.util.Arrays.fill(assigned, -1);
            float[] sums = new float[clusters * size];
            int[] counts = new int[clusters];
            for (int iteration = 0; iteration < ITERATIONS; iteration++) {
                boolean moved = false;
                java.util.Arrays.fill(sums, 0);
                java.util.Arrays.fill(counts, 0);
                for (int i = 0; i < n; i++) {
                    int c = centroids.nearest(points, i * size);
                    if (c != assigned[i]) {
                        assigned[i] = c;
                        moved = true;
                    }
                    counts[c]++;
                    for (int d = 0; d < size; d++) sums[c * size + d] += points[i * size + d];
                }
                if (!moved) break;
                float[] book = centroids.pointMajor();
                for (int c = 0; c < clusters; c++) {
                    if (counts[c] == 0) continue; // an empty cluster keeps its centroid
                    for (int d = 0; d < size; d++) book[c * size + d] = sums[c * size + d] / counts[c];
                }
                centroids = new Centroids(book, size, clusters);
            }
            return centroids.pointMajor();
        }

        /** k-means++: each next centroid a point drawn with probability proportional to its squared distance to the nearest so far. */
        private float[] seed(Random random) {
            float[] book = new float[clusters * size];
            float[] nearest = new float[paddedPoints()];
            java.util.Arrays.fill(nearest, Float.POSITIVE_INFINITY);
            int chosen = random.nextInt(n);
            for (int c = 0; c < clusters; c++) {
                System.arraycopy(points, chosen * size, book, c * size, size);
                lowerDistances(chosen, nearest);
                if (c + 1 == clusters) break;
                double total = 0;
                for (int i = 0; i < n; i++) total += nearest[i];
                if (total <= 0) { // every point sits on a centroid: any point will do
                    chosen = random.nextInt(n);
                    continue;
                }
                double target = random.nextDouble() * total;
                double sum = 0;
                chosen = n - 1;
                for (int i = 0; i < n; i++) {
                    sum += nearest[i];
                    if (sum >= target && nearest[i] > 0) {
                        chosen = i;
                        break;
                    }
                }
            }
            return book;
        }

        /** {@code nearest[i] = min(nearest[i], |point i - point center|²)} for every point, a block of lanes at a time. */
        private void lowerDistances(int center, float[] nearest) {
            int padded = paddedPoints();
            for (int i = 0; i < padded; i += F.length()) {
                FloatVector acc = FloatVector.zero(F);
                for (int d = 0; d < size; d++) {
                    FloatVector diff = FloatVector.fromArray(F, pointsByDimension, d * padded + i).sub(points[center * size + d]);
                    acc = diff.fma(diff, acc);
                }
                acc.min(FloatVector.fromArray(F, nearest, i)).intoArray(nearest, i);
            }
        }

        /** A subspace's centroids, dimension-major for {@link #nearest}. */
        static final class Centroids {
            private static final IntVector LANES = IntVector.zero(I).addIndex(1);
            private final int size;
            private final int clusters;
            /** {@code byDimension[d * clusters + c]}: centroid c's coordinate d. */
            private final float[] byDimension;

            Centroids(float[] pointMajor, int size, int clusters) {
                this.size = size;
                this.clusters = clusters;
                this.byDimension = new float[size * clusters];
                for (int c = 0; c < clusters; c++) for (int d = 0; d < size; d++) byDimension[d * clusters + c] = pointMajor[c * size + d];
            }

            float[] pointMajor() {
                float[] out = new float[clusters * size];
                for (int c = 0; c < clusters; c++) for (int d = 0; d < size; d++) out[c * size + d] = byDimension[d * clusters + c];
                return out;
            }

            /** The index of the centroid nearest to {@code x[from .. from + size)}; the lowest index among equals. */
            int nearest(float[] x, int from) {
                FloatVector best = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
                IntVector bestIndex = IntVector.zero(I);
                for (int c = 0; c < clusters; c += F.length()) {
                    FloatVector acc = FloatVector.zero(F);
                    for (int d = 0; d < size; d++) {
                        FloatVector diff = FloatVector.fromArray(F, byDimension, d * clusters + c).sub(x[from + d]);
                        acc = diff.fma(diff, acc);
                    }
                    VectorMask<Float> closer = acc.lt(best);
                    best = best.blend(acc, closer);
                    bestIndex = bestIndex.blend(LANES.add(c), closer.cast(I));
                }
                float min = best.reduceLanes(VectorOperators.MIN);
                // The lowest index among the lanes holding the minimum (a lane holds its block-order first).
                return bestIndex.blend(IntVector.broadcast(I, Integer.MAX_VALUE), best.compare(VectorOperators.NE, min).cast(I))
                        .reduceLanes(VectorOperators.MIN);
            }
        }
    }
}
