package io.poisk.server.wire;

import io.poisk.engine.SearchRequest;

import java.time.Duration;

/** A decoded search and the deadline it runs under ({@link RequestDeadlines}). */
public record TimedSearch(SearchRequest request, Duration timeout) {
}
