package io.poisk.index;

import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A merge keeps the larger input's PQ codebook only while it fits the vectors merged into it: vectors from the
 * distribution it was trained on pass, vectors that drifted elsewhere make the merge train a new one.
 */
class CodebookFitTest {
    private static final int DIM = 32;

    @Test
    void aCodebookFitsMoreOfItsOwnDistributionButNotVectorsThatDriftedAway() {
        Random r = new Random(3);
        float[] home = TestVectors.unit(r, DIM);
        float[] elsewhere = TestVectors.unit(r, DIM);
        // A segment of 20,000 whose codebook was trained, as SegmentWriter does, on an even sample of 5,000 of them.
        List<VectorFloat<?>> segment = around(r, home, 20_000);
        List<VectorFloat<?>> sample = new ArrayList<>();
        for (int i = 0; i < segment.size(); i += 4) sample.add(segment.get(i));
        ProductQuantization pq = ProductQuantization.compute(new ListRandomAccessVectorValues(sample, DIM),
                SegmentWriter.pqSubspaces(DIM), 256, false);
        int first = segment.size();

        List<VectorFloat<?>> same = new ArrayList<>(segment);
        same.addAll(around(r, home, 2_000));
        assertThat(SegmentMerger.codebookFits(pq, new ListRandomAccessVectorValues(same, DIM), first)).isTrue();

        List<VectorFloat<?>> drifted = new ArrayList<>(segment);
        drifted.addAll(around(r, elsewhere, 2_000));
        assertThat(SegmentMerger.codebookFits(pq, new ListRandomAccessVectorValues(drifted, DIM), first)).isFalse();

        // nothing inserted: nothing to misfit
        assertThat(SegmentMerger.codebookFits(pq, new ListRandomAccessVectorValues(segment, DIM), first)).isTrue();
    }

    /** Unit vectors scattered around {@code centre} (noise of a third of its length per vector). */
    private static List<VectorFloat<?>> around(Random r, float[] centre, int n) {
        List<VectorFloat<?>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] v = new float[DIM];
            double norm = 0;
            for (int d = 0; d < DIM; d++) {
                v[d] = centre[d] + (float) (r.nextGaussian() * 0.33 / Math.sqrt(DIM));
                norm += v[d] * v[d];
            }
            for (int d = 0; d < DIM; d++) v[d] /= (float) Math.sqrt(norm);
            out.add(LiveSegment.VTS.createFloatVector(v));
        }
        return out;
    }
}
