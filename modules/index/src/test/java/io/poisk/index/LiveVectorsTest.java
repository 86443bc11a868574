package io.poisk.index;

import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class LiveVectorsTest {
    @Test
    void appendsAcrossPagesAndReadsBackEveryOrdinal() {
        LiveVectors vectors = new LiveVectors(2);
        List<float[]> appended = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) { // three pages
            float[] v = {i, -i};
            assertThat(vectors.append(v)).isEqualTo(i);
            appended.add(v);
        }
        assertThat(vectors.size()).isEqualTo(3_000);
        for (int i = 0; i < appended.size(); i++) {
            assertThat(vectors.array(i)).isSameAs(appended.get(i));
            VectorFloat<?> v = vectors.getVector(i);
            assertThat(new float[] {v.get(0), v.get(1)}).containsExactly(appended.get(i));
        }
        assertThat(vectors.getVector(3_000)).as("an ordinal not appended yet").isNull();
        assertThat(vectors.array(3_000)).isNull();
        assertThat(vectors.getVector(1 << 20)).isNull();
    }

    @Test
    void aReaderSeesEveryVectorBelowTheSizeItRead() throws Exception {
        LiveVectors vectors = new LiveVectors(1);
        AtomicReference<String> problem = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            for (int seen = 0; seen < 50_000 && problem.get() == null; ) {
                int size = vectors.size();
                for (int o = seen; o < size; o++) {
                    VectorFloat<?> v = vectors.getVector(o);
                    float[] a = vectors.array(o);
                    if (v == null || v.get(0) != o || a == null || a[0] != o) problem.set("ordinal " + o + " below size " + size + " reads " + v);
                }
                seen = size;
            }
        });
        reader.start();
        for (int i = 0; i < 50_000; i++) vectors.append(new float[] {i});
        reader.join(30_000);
        assertThat(reader.isAlive()).isFalse();
        assertThat(problem.get()).isNull();
    }
}
