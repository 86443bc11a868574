package io.poisk.engine;

import java.util.List;

/**
 * Which shards of a sharded collection answered a search: a page is never silently short, it names the missing
 * shards ({@code partial}). Null on the pages of local collections.
 */
public record ShardCoverage(int total, List<Integer> answered, List<Integer> missing) {
    public ShardCoverage {
        answered = List.copyOf(answered);
        missing = List.copyOf(missing);
    }

    public boolean partial() {
        return !missing.isEmpty();
    }
}
