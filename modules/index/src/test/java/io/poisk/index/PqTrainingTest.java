package io.poisk.index;

import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.PhysicalCoreExecutor;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PqTraining} against JVector's {@code ProductQuantization} on the same vectors: the codebook JVector reads
 * back has the shape asked for (JVector's split of the dimensions), every vector gets the code JVector's own encoder
 * gives it under that codebook, and the codebook reconstructs the vectors at least about as well as JVector's k-means.
 */
class PqTrainingTest {
    private static final int DIM = 48;

    @Test
    void trainsACodebookJVectorReadsEncodesAsJVectorDoesAndFitsAsWell() {
        Random r = new Random(3);
        List<float[]> base = List.of(FusedGraphSearchTest.embedded(r, 11, 4_000, DIM));
        List<float[]> sample = base.subList(0, 2_000);
        int subspaces = 7; // 48 = 6 subspaces of 7 dimensions and one of 6: JVector's uneven split
        ProductQuantization ours = PqTraining.train(sample, subspaces, 256, 1, PhysicalCoreExecutor.pool());
        assertThat(ours.getSubspaceCount()).isEqualTo(subspaces);
        assertThat(ours.getClusterCount()).isEqualTo(256);
        assertThat(ours.getOriginalDimension()).isEqualTo(DIM);
        assertThat(ours.getGlobalCentroid()).isNull();
        for (int m = 0; m < subspaces; m++) assertThat(ours.getSubvectorSize(m)).isEqualTo(m < 6 ? 7 : 6);
        assertThat(PqTraining.encodes(ours)).isTrue();

        var ravv = new ListRandomAccessVectorValues(views(base), DIM);
        PQVectors mine = PqTraining.encode(ours, base::get, base.size(), PhysicalCoreExecutor.pool());
        PQVectors theirs = ours.encodeAll(ravv, PhysicalCoreExecutor.pool());
        for (int i = 0; i < base.size(); i++) {
            for (int m = 0; m < subspaces; m++) assertThat(mine.get(i).get(m)).as("vector %d subspace %d", i, m).isEqualTo(theirs.get(i).get(m));
        }

        ProductQuantization jvectors = ProductQuantization.compute(new ListRandomAccessVectorValues(views(sample), DIM), subspaces, 256, false);
        double oursError = error(ours, base), jvectorError = error(jvectors, base);
        System.out.printf("reconstruction error per vector: ours %.5f, JVector's %.5f%n", oursError, jvectorError);
        assertThat(oursError).isLessThan(jvectorError * 1.03);

        ProductQuantization again = PqTraining.train(sample, subspaces, 256, 1, PhysicalCoreExecutor.pool());
        for (int m = 0; m < subspaces; m++) {
            assertThat(again.getCodebookVector(m).equals(ours.getCodebookVector(m))).as("same seed, same codebook %d", m).isTrue();
        }
    }

    @Test
    void splitsDimensionsAsJVectorDoes() {
        assertThat(PqTraining.subvectorSizes(384, 48)).containsOnly(8);
        assertThat(PqTraining.subvectorSizes(10, 4)).containsExactly(3, 3, 2, 2);
        assertThat(PqTraining.supports(256, 255)).isFalse();
    }

    /** Mean squared distance between each vector and its decoded code. */
    private static double error(ProductQuantization pq, List<float[]> vectors) {
        VectorFloat<?> decoded = LiveSegment.VTS.createFloatVector(DIM);
        double sum = 0;
        for (float[] v : vectors) {
            pq.decode(pq.encode(LiveSegment.VTS.createFloatVector(v)), decoded);
            for (int d = 0; d < DIM; d++) sum += (v[d] - decoded.get(d)) * (v[d] - decoded.get(d));
        }
        return sum / vectors.size();
    }

    private static List<VectorFloat<?>> views(List<float[]> vectors) {
        List<VectorFloat<?>> out = new ArrayList<>(vectors.size());
        for (float[] v : vectors) out.add(LiveSegment.VTS.createFloatVector(v));
        return out;
    }
}
