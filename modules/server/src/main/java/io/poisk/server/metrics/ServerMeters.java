package io.poisk.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.poisk.core.ErrorCode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.RoutingContext;

import java.util.Optional;

/**
 * The transport's own meters beside Vert.x's ({@code vertx_http_server_*}): requests refused for load or
 * limits, by reason, and authentication failures. One per server, shared by every event loop; Micrometer
 * counters are thread-safe and cached by name and tags.
 */
public final class ServerMeters {
    /** Set on the routing context by ErrorResponses: the error code of the reply, for the reason tag. */
    public static final String ERROR_CODE = "poisk.error_code";

    private final MeterRegistry registry;

    public ServerMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus registry behind {@code GET /metrics}, when metrics are enabled. */
    public Optional<PrometheusMeterRegistry> prometheus() {
        return registry instanceof PrometheusMeterRegistry p ? Optional.of(p) : Optional.empty();
    }

    /**
     * Hook for authentication: call once per refused request with a short fixed reason ("missing_key",
     * "unknown_key", "forbidden" ...), never the key itself. Exported as {@code poisk_auth_failures_total{reason}}.
     */
    public void authFailure(String reason) {
        Counter.builder("poisk.auth.failures").description("requests refused by authentication, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    /** A request refused for load or limits ({@code poisk_rejected_requests_total{reason,status}}). */
    public void rejected(String reason, int status) {
        Counter.builder("poisk.rejected.requests").description("requests refused for load or limits (408, 413, 414, 429, 503, 507), by reason")
                .tag("reason", reason).tag("status", Integer.toString(status)).register(registry).increment();
    }

    /** First handler of the router: counts the replies that refuse a request for load or limits. */
    public void countRejections(RoutingContext ctx) {
        ctx.addHeadersEndHandler(v -> {
            int status = ctx.response().getStatusCode();
            if (isRejection(status)) {
                String code = ctx.get(ERROR_CODE);
                rejected(code != null ? code : reasonOf(status), status);
            } else if (status == 401 || status == 403) { // refused keys: unauthorized (none, unknown, revoked) or forbidden
                String code = ctx.get(ERROR_CODE);
                authFailure(code != null ? code : reasonOf(status));
            }
        });
        ctx.next();
    }

    /** For a bare status set by Vert.x Web (body too large, ...): the first error code with that status. */
    private static String reasonOf(int status) {
        for (ErrorCode c : ErrorCode.values()) if (c.httpStatus() == status) return c.code();
        return "status_" + status;
    }

    static boolean isRejection(int status) {
        return status == 408 || status == 413 || status == 414 || status == 429 || status == 503 || status == 507;
    }
}
