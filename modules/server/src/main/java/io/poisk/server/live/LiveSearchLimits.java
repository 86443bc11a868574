package io.poisk.server.live;

import io.poisk.core.PoiskConfig;

/**
 * Per-connection limits of the live-search WebSocket (config keys {@code live.*}).
 *
 * @param maxMessageBytes largest query message answered (larger ones get a payload_too_large error message)
 * @param maxInFlight     queries of one connection still holding engine work, superseded ones included until
 *                        the stage they were stopped in has ended; over it, the newest message waits for a slot
 * @param pingIntervalMs  the server pings this often; a connection that answered no ping for two intervals is closed
 */
public record LiveSearchLimits(int maxMessageBytes, int maxInFlight, long pingIntervalMs) {
    public static final LiveSearchLimits DEFAULTS = from(PoiskConfig.defaults());

    public LiveSearchLimits {
        if (maxMessageBytes < 64 || maxInFlight < 1 || pingIntervalMs < 100) {
            throw new IllegalArgumentException("live.max_message_bytes must be >= 64, live.max_in_flight >= 1 and"
                    + " live.ping_interval_ms >= 100; got " + maxMessageBytes + ", " + maxInFlight + ", " + pingIntervalMs);
        }
    }

    public static LiveSearchLimits from(PoiskConfig config) {
        return new LiveSearchLimits(config.integer("live.max_message_bytes"), config.integer("live.max_in_flight"),
                config.longValue("live.ping_interval_ms"));
    }

    /** The transport cap: Vert.x closes the socket (status 1009) above it, so bad frames well over our limit still get a reply. */
    public int transportMessageBytes() {
        return maxMessageBytes * 4;
    }
}
