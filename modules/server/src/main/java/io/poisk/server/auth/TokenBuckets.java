package io.poisk.server.auth;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key request budgets: a token bucket per key id, refilled at {@code rate} tokens a second up to {@code burst}.
 * No library in our dependency set does this for Vert.x; it is small enough to keep here. The map holds one entry
 * per key that made a request since the start, so it is bounded by the number of keys.
 */
final class TokenBuckets {
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Takes a token for {@code keyId}; returns 0 when granted, else the nanoseconds until one is free. */
    long take(String keyId, double rate, double burst, long nowNanos) {
        return buckets.computeIfAbsent(keyId, id -> new Bucket(burst, nowNanos)).take(rate, burst, nowNanos);
    }

    void forget(String keyId) {
        buckets.remove(keyId);
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double burst, long now) {
            this.tokens = burst;
            this.last = now;
        }

        synchronized long take(double rate, double burst, long now) {
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / rate * 1e9);
        }
    }
}
