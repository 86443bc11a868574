package io.poisk.engine;

/**
 * The {@code "rerank"} part of a search: which reranker scores the first-stage hits and how many of them.
 *
 * @param model a reranker card id (kind cross_encoder or llm_reranker); null in a request that takes the
 *              collection's default reranker with its own top_n
 * @param topN  first-stage hits to rerank; null takes {@code max(rerank.default_top_n, k)}. When given it is
 *              at least k (the reranked page is cut to k from the top_n reranked hits) and at most {@link #MAX_TOP_N}
 */
public record RerankRequest(String model, Integer topN) {
    public static final int MAX_TOP_N = io.poisk.index.CollectionOptions.DefaultRerank.MAX_TOP_N;

    /** The top_n this request reranks, given the query's k and the configured default. */
    int topN(int k, int defaultTopN) {
        return topN != null ? topN : Math.min(MAX_TOP_N, Math.max(defaultTopN, k));
    }
}
