package io.poisk.server.http;

import io.poisk.core.PoiskConfig;
import io.poisk.server.metrics.ServerMeters;

/**
 * What operators switch on the HTTP server: meters (and with them {@code GET /metrics}), TLS, the access log.
 * One value so the API verticle takes one more argument, not three.
 */
public record OpsOptions(ServerMeters meters, TlsSettings tls, boolean accessLog) {
    /** In-memory meters, no TLS, no access log. */
    public static OpsOptions none() {
        return new OpsOptions(new ServerMeters(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), TlsSettings.NONE, false);
    }

    public static OpsOptions from(PoiskConfig config, ServerMeters meters) {
        return new OpsOptions(meters, TlsSettings.from(config), Boolean.parseBoolean(config.string("log.access").trim()));
    }
}
