package io.poisk.engine;

/**
 * How the rerank step of a search went, sent as {@code "rerank":{…}} in the response.
 *
 * @param model    the reranker card id
 * @param topN     first-stage hits handed to the reranker
 * @param scored   how many of them it scored within the budget
 * @param complete whether it scored all of them
 * @param tookMs   time from submitting to the reranker to its result, queueing included
 */
public record RerankSummary(String model, int topN, int scored, boolean complete, long tookMs) {
}
