package io.poisk.eval.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An engine's best queries/s for a required recall: the Pareto frontier of its operating points
 * (no point is both less accurate and slower than another), read by linear interpolation.
 */
final class RecallCurve {
    private final List<OperatingPoint> frontier;

    RecallCurve(List<OperatingPoint> points) {
        List<OperatingPoint> byRecall = new ArrayList<>(points);
        byRecall.sort(Comparator.comparingDouble(OperatingPoint::recall));
        List<OperatingPoint> kept = new ArrayList<>();
        double fastestAbove = Double.NEGATIVE_INFINITY;
        for (int i = byRecall.size() - 1; i >= 0; i--) {
            OperatingPoint p = byRecall.get(i);
            if (p.qps() > fastestAbove) {
                kept.addFirst(p);
                fastestAbove = p.qps();
            }
        }
        this.frontier = kept;
    }

    double maxRecall() {
        return frontier.isEmpty() ? 0 : frontier.getLast().recall();
    }

    double minRecall() {
        return frontier.isEmpty() ? 0 : frontier.getFirst().recall();
    }

    /**
     * Queries/s at {@code recall}: interpolated between the frontier points around it; below the lowest
     * point, that point's (it reaches at least this recall); NaN above the highest recall reached.
     */
    double qpsAt(double recall) {
        if (frontier.isEmpty() || recall > maxRecall() + 1e-12) return Double.NaN;
        for (int i = 0; i < frontier.size(); i++) {
            OperatingPoint hi = frontier.get(i);
            if (hi.recall() + 1e-12 < recall) continue;
            if (i == 0 || hi.recall() - recall < 1e-12) return hi.qps();
            OperatingPoint lo = frontier.get(i - 1);
            double t = (recall - lo.recall()) / (hi.recall() - lo.recall());
            return lo.qps() + t * (hi.qps() - lo.qps());
        }
        return Double.NaN;
    }
}
