package io.poisk.index;

import io.poisk.core.Hit;

import java.util.List;

/**
 * What a {@link SearchQuery} found: {@code hits} is the answer (the mode's list, or the fused one for
 * hybrid, at most k); {@code dense} and {@code lexical} are the lists it came from (empty when the mode
 * did not run them), with cosine and BM25 scores, so a caller may fuse differently.
 */
public record SearchResults(List<Hit> hits, List<Hit> dense, List<Hit> lexical) {
    public SearchResults {
        hits = List.copyOf(hits);
        dense = List.copyOf(dense);
        lexical = List.copyOf(lexical);
    }
}
