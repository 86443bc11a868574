package io.poisk.eval.bench;

/**
 * One engine at one search beam: mean recall@k against brute force and single-thread queries per second,
 * by wall-clock time ({@code qps}) and by the search thread's CPU time ({@code cpuQps}). On a shared,
 * loaded machine the wall clock also counts the time the thread waited for a core; CPU time does not.
 */
record OperatingPoint(String engine, int beam, double recall, double qps, double cpuQps) {
    OperatingPoint(String engine, int beam, double recall, double qps) {
        this(engine, beam, recall, qps, qps);
    }

    /** This point with queries/s by CPU time in place of wall-clock time (for a {@link RecallCurve} by CPU). */
    OperatingPoint byCpu() {
        return new OperatingPoint(engine, beam, recall, cpuQps, cpuQps);
    }
}
