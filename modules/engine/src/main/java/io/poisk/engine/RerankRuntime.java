package io.poisk.engine;

import io.poisk.models.RerankResult;
import io.poisk.models.RerankerCard;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** "Rerank these documents against this query" for one reranker, in this process or on remote inference workers. */
public interface RerankRuntime extends AutoCloseable {

    RerankerCard card();

    /**
     * Scores the documents (first-stage order) within {@code budget}; never blocks. Documents the budget left
     * unscored keep their first-stage order after the scored ones.
     */
    CompletableFuture<RerankResult> rerank(String query, String instruction, List<String> documents, Duration budget);

    @Override
    void close();
}
