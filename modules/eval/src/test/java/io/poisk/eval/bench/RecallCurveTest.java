package io.poisk.eval.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RecallCurveTest {
    private static OperatingPoint p(double recall, double qps) {
        return new OperatingPoint("x", 0, recall, qps);
    }

    @Test
    void interpolatesBetweenTheFrontierPointsAroundTheRecall() {
        RecallCurve c = new RecallCurve(List.of(p(0.90, 1000), p(0.96, 400), p(0.98, 200)));
        assertThat(c.qpsAt(0.93)).isCloseTo(700, within(1e-6));
        assertThat(c.qpsAt(0.98)).isCloseTo(200, within(1e-6));
    }

    @Test
    void belowTheLowestPointUsesItAndAboveTheHighestHasNone() {
        RecallCurve c = new RecallCurve(List.of(p(0.90, 1000), p(0.98, 200)));
        assertThat(c.qpsAt(0.5)).isEqualTo(1000);
        assertThat(c.qpsAt(0.99)).isNaN();
    }

    @Test
    void aPointBothSlowerAndLessAccurateThanAnotherIsIgnored() {
        // 0.95 @ 300 is dominated by 0.97 @ 500: at recall 0.95 the engine can do 500 (or more).
        RecallCurve c = new RecallCurve(List.of(p(0.90, 1000), p(0.95, 300), p(0.97, 500)));
        assertThat(c.qpsAt(0.95)).isCloseTo(1000 + (0.05 / 0.07) * (500 - 1000), within(1e-6));
        assertThat(c.minRecall()).isEqualTo(0.90);
        assertThat(c.maxRecall()).isEqualTo(0.97);
    }
}
