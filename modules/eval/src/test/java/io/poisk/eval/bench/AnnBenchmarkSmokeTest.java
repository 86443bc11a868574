package io.poisk.eval.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the ANN harness from rotting: both engines on a small Fashion-MNIST slice, in seconds. */
@Tag("dataset")
class AnnBenchmarkSmokeTest {
    @TempDir
    Path tmp;

    @Test
    void measuresBothEnginesAndPrintsTheRatio() throws Exception {
        VectorSet set = FashionMnist.load(FashionMnist.DEFAULT_DIR, 1_000, 20);
        AnnBenchmark.Settings settings = new AnnBenchmark.Settings(10, List.of(10, 80), 1, 32, 100, 2, 16, 100, tmp,
                true, 0, 4, 300);

        AnnBenchmark.Result result = AnnBenchmark.run(set, settings);

        assertThat(result.builds()).extracting(AnnBenchmark.BuildStats::engine).containsExactly("poisk", "lucene");
        assertThat(result.builds()).allSatisfy(b -> assertThat(b.diskBytes()).isPositive());
        assertThat(result.builds()).allSatisfy(b -> assertThat(b.indexBytes()).isPositive().isLessThanOrEqualTo(b.diskBytes()));
        for (String engine : List.of("poisk", "poisk-ids", "lucene")) {
            assertThat(result.of(engine)).extracting(OperatingPoint::beam).containsExactly(10, 80);
            OperatingPoint wide = result.of(engine).get(1);
            assertThat(wide.recall()).as(engine + " recall at beam 80").isGreaterThan(0.85);
            assertThat(wide.qps()).isPositive();
            assertThat(wide.cpuQps()).isPositive();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AnnBenchmark.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), result, settings);
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("fashion-mnist: 1000 base vectors x 784-d, 20 queries").contains("ratio")
                .contains("poisk-ids");
        // The ids-only view searches the same graph: the same hits, so the same recall.
        for (int i = 0; i < 2; i++) {
            assertThat(result.of("poisk-ids").get(i).recall()).isEqualTo(result.of("poisk").get(i).recall());
        }
    }
}
