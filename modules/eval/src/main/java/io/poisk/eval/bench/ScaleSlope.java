package io.poisk.eval.bench;

/**
 * How one cost (seconds, bytes) grows between two collection sizes, and what that says about a larger size: the
 * straight line through the two points (its slope is the marginal cost per vector) and the power law through them
 * ({@code y = a n^b}; b = 1 is linear, a graph build's n log n shows as b a little above 1). The two projections
 * bracket an estimate on paper; neither is a measurement.
 */
record ScaleSlope(long n1, double y1, long n2, double y2) {
    ScaleSlope {
        if (n1 <= 0 || n2 <= n1) throw new IllegalArgumentException("need 0 < n1 < n2, got " + n1 + ", " + n2);
    }

    /** Marginal cost of one more vector between the two sizes. */
    double perVector() {
        return (y2 - y1) / (n2 - n1);
    }

    /** The straight line's value at {@code n}. */
    double linearAt(long n) {
        return y2 + perVector() * (n - n2);
    }

    /** b of {@code y = a n^b} through both points; NaN when either cost is not positive. */
    double exponent() {
        return y1 > 0 && y2 > 0 ? Math.log(y2 / y1) / Math.log((double) n2 / n1) : Double.NaN;
    }

    /** The power law's value at {@code n}. */
    double powerLawAt(long n) {
        return y2 * Math.pow((double) n / n2, exponent());
    }
}
