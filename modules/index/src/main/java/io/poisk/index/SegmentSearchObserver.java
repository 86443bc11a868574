package io.poisk.index;

/**
 * Told how long each segment's dense search took, by kind, so the engine can keep a latency histogram per kind
 * without the index knowing about meters: {@code live} (the in-memory segment, also one frozen for its flush),
 * {@code disk} (an on-disk graph with full vectors) or {@code disk_pq} (on-disk, traversed with fused PQ codes).
 * Called on the searching thread; must be cheap.
 */
@FunctionalInterface
public interface SegmentSearchObserver {
    SegmentSearchObserver NONE = (kind, nanos) -> { };

    void searched(String kind, long nanos);
}
