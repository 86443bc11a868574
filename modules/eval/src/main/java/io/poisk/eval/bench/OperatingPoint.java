package io.poisk.eval.bench;

/** One engine at one search beam: mean recall@k against brute force and single-thread queries per second. */
record OperatingPoint(String engine, int beam, double recall, double qps) {
}
