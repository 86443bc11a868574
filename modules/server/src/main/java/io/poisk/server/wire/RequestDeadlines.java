package io.poisk.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;

import java.time.Duration;

/**
 * Every request's deadline, on every transport: the one it asks for (a search's {@code "timeout_ms"}, else the
 * {@value #HEADER} header, in milliseconds) up to {@code limits.max_request_timeout_ms}, else
 * {@code limits.request_timeout_ms}. Asking for more than the maximum is a 400 that names the key.
 */
public record RequestDeadlines(long defaultMs, long maxMs) {
    public static final String HEADER = "Request-Timeout";
    static final String DEFAULT_KEY = "limits.request_timeout_ms";
    static final String MAX_KEY = "limits.max_request_timeout_ms";
    /** The search body's (and live message's, and SSE parameter's) own deadline. */
    public static final String PROPERTY = "timeout_ms";

    public RequestDeadlines {
        if (defaultMs < 1 || maxMs < defaultMs) {
            throw new IllegalArgumentException(DEFAULT_KEY + " must be at least 1 and " + MAX_KEY + " at least " + DEFAULT_KEY
                    + "; got " + defaultMs + " and " + maxMs);
        }
    }

    public static RequestDeadlines from(PoiskConfig config) {
        return new RequestDeadlines(config.longValue(DEFAULT_KEY), config.longValue(MAX_KEY));
    }

    /** The deadline of a request that may carry the header (null: absent). */
    public Duration of(String header) {
        if (header == null) return Duration.ofMillis(defaultMs);
        String v = header.trim();
        long ms;
        try {
            ms = v.matches("\\d{1,18}") ? Long.parseLong(v) : -1;
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 1) {
            throw PoiskException.badRequest("header " + HEADER + " must be a whole number of milliseconds from 1 to " + maxMs
                    + " (configured by " + MAX_KEY + "), got '" + header + "'");
        }
        return checked(ms, "header " + HEADER);
    }

    /** The deadline of a search: its {@code "timeout_ms"} (absent or null: none), else the header, else the default. */
    Duration of(JsonNode property, String header) {
        if (property == null || property.isNull()) return of(header);
        if (!property.isIntegralNumber() || !property.canConvertToLong() || property.asLong() < 1) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'" + PROPERTY + "' must be a whole number of milliseconds from 1 to "
                    + maxMs + " (configured by " + MAX_KEY + "), got " + property);
        }
        return checked(property.asLong(), "'" + PROPERTY + "'");
    }

    private Duration checked(long ms, String what) {
        if (ms > maxMs) {
            throw new PoiskException(ErrorCode.BAD_REQUEST, what + " asks for a deadline of " + ms + " ms, more than the "
                    + maxMs + " ms a request may have (configured by " + MAX_KEY + ")");
        }
        return Duration.ofMillis(ms);
    }
}
