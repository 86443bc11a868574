package io.poisk.core;

import java.util.List;

/** The hits of one query, best first, and the time the engine took. */
public record SearchResponse(List<Hit> hits, long tookMs) {
}
