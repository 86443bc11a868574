package io.poisk.server.wire;

import io.poisk.engine.SearchRequest;

import java.time.Duration;
import java.util.Map;

/**
 * A decoded search, the deadline it runs under ({@link RequestDeadlines}) and {@code after}: the shard offsets of an
 * ingest reply it must see (a sharded collection's read-your-writes; empty otherwise).
 */
public record TimedSearch(SearchRequest request, Duration timeout, Map<Integer, Long> after) {
    public TimedSearch {
        after = after == null ? Map.of() : Map.copyOf(after);
    }

    public TimedSearch(SearchRequest request, Duration timeout) {
        this(request, timeout, null);
    }
}
