package io.poisk.index;

/**
 * One result of a search before its document is loaded: the id and the score the list is ordered by
 * (cosine, BM25, or the fused score). {@link CollectionIndex#documents} loads the documents of the ones kept.
 */
public record ScoredCandidate(String id, float score) {
}
