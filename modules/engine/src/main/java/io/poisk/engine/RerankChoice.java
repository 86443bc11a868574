package io.poisk.engine;

/**
 * What a search asks of reranking. Leaving {@code "rerank"} out takes the collection's default reranker
 * (none when the collection has none); {@code "rerank": false} searches without reranking; an object
 * names a reranker and/or top_n, each part it leaves out taken from the collection's default.
 */
public sealed interface RerankChoice {
    /** {@code "rerank"} absent: the collection's default reranker, if it has one. */
    record CollectionDefault() implements RerankChoice {
    }

    /** {@code "rerank": false}: first-stage results only, whatever the collection's default. */
    record Off() implements RerankChoice {
    }

    /** {@code "rerank": {…}}: model null takes the collection default's model (a 400 when it has none). */
    record Given(RerankRequest request) implements RerankChoice {
    }

    RerankChoice COLLECTION_DEFAULT = new CollectionDefault();
    RerankChoice OFF = new Off();
}
