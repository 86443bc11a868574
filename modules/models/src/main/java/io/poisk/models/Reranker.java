package io.poisk.models;

import java.util.List;

/**
 * Scores documents against a query (and an optional natural-language instruction) the way the model
 * card says; higher is more relevant. Blocking and thread-safe.
 */
public interface Reranker extends AutoCloseable {

    RerankerCard card();

    /**
     * One score per document, in order: the raw logit for a cross-encoder, P(yes) in [0, 1] for an LLM
     * reranker. {@code instruction} may be null; then the card's default instruction (if any) applies.
     */
    float[] score(String query, String instruction, List<String> documents);

    @Override
    void close();
}
