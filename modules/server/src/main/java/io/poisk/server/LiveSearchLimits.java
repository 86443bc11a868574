package io.poisk.server;

/**
 * Per-connection limits of the live-search WebSocket.
 *
 * @param maxMessageBytes largest query message answered (larger ones get a payload_too_large error message)
 * @param maxInFlight     queries of one connection still holding engine work, superseded ones included until
 *                        the stage they were stopped in has ended; a query over it gets an overloaded message
 * @param pingIntervalMs  the server pings this often; a connection that answered no ping for two intervals is closed
 */
record LiveSearchLimits(int maxMessageBytes, int maxInFlight, long pingIntervalMs) {
    static final LiveSearchLimits DEFAULTS = new LiveSearchLimits(16 * 1024, 4, 20_000);

    /** The transport cap: Vert.x closes the socket (status 1009) above it, so bad frames well over our limit still get a reply. */
    int transportMessageBytes() {
        return maxMessageBytes * 4;
    }
}
