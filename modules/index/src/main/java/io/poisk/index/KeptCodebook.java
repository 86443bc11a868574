package io.poisk.index;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.vector.types.VectorFloat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The PQ codebook of an on-disk segment, offered to a segment being written instead of training one, with a sample
 * of the vectors stored under it. Training costs a flush about half its time (4.6 s of 8.7 s for 20,000 e5 vectors,
 * 20 s at 784-d), so flushes and merges keep the codebook of the collection's largest segment while it still fits
 * the vectors they write.
 *
 * <p>It fits when it reconstructs those vectors no worse than {@link #TOLERANCE} times a sample of its own segment's
 * vectors that it was not trained on. A collection would otherwise encode with its first flush's codebook forever,
 * however far its later documents drift; a codebook that no longer fits is trained anew, and the next segment may
 * keep that one.
 *
 * <p>The codebook is on the heap (JVector reads it whole when a segment opens), and the sample is copied, so it
 * outlives its segment being closed by a merge.
 */
record KeptCodebook(String segment, ProductQuantization codebook, List<VectorFloat<?>> own) {
    /** Vectors sampled from each side to judge the fit. */
    static final int SAMPLE = 256;
    /** How much worse than on its own segment's vectors the codebook may reconstruct the ones being written. */
    static final double TOLERANCE = 1.25;
    /** Set to false, every segment trains its own codebook: for A/B benchmarks only. */
    static final String PROPERTY = "poisk.codebook.keep";

    /** The codebook of {@code segment} and an even sample of its stored vectors, or null when it has no PQ codes. */
    static KeptCodebook of(DiskSegment segment) throws IOException {
        ProductQuantization codebook = segment.pqCodebook();
        if (codebook == null || !enabled()) return null;
        List<VectorFloat<?>> own = new ArrayList<>(SAMPLE);
        try (var view = segment.openView()) {
            int n = segment.size();
            int take = Math.min(SAMPLE, n);
            for (int i = 0; i < take; i++) {
                // Vectors the codebook was trained on reconstruct better than any other of their kind: skip to the
                // next one it did not see, or the baseline flatters the codebook and a fitting one is refused.
                int o = (int) ((long) i * n / take);
                // (A segment of at most PQ_TRAINING_VECTORS trained on all of them: nothing to skip to.)
                while (n > SegmentWriter.PQ_TRAINING_VECTORS && o + 1 < n && SegmentWriter.inTrainingSample(o, n)) o++;
                own.add(view.getVector(o).copy());
            }
        }
        return new KeptCodebook(segment.name(), codebook, own);
    }

    static boolean enabled() {
        return Boolean.parseBoolean(System.getProperty(PROPERTY, "true"));
    }

    /** Whether the codebook may encode {@code vectors} (those at ordinals from..to-1 are judged; none: it fits). */
    boolean fits(RandomAccessVectorValues vectors, int from, int to) {
        if (from >= to) return true;
        int n = Math.min(SAMPLE, to - from);
        double incoming = 0;
        for (int i = 0; i < n; i++) incoming += codebook.reconstructionError(vectors.getVector(from + (int) ((long) i * (to - from) / n)));
        double home = 0;
        for (VectorFloat<?> v : own) home += codebook.reconstructionError(v);
        return incoming / n <= TOLERANCE * home / own.size();
    }
}
