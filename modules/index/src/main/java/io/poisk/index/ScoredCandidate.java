package io.poisk.index;

/**
 * One result of a search before its document is loaded: the id and the score the list is ordered by
 * (cosine, BM25, or the fused score), and the best passage of a dense one (its end may exceed the text: clamp it). {@link CollectionIndex#documents} loads the documents of the ones kept.
 */
public record ScoredCandidate(String id, float score, io.poisk.core.Passage passage) {
    public ScoredCandidate(String id, float score) {
        this(id, score, null);
    }
}
