package io.poisk.eval;

import io.poisk.core.Document;

import java.util.List;
import java.util.Map;

/**
 * A retrieval test set in one shape for every source format: the corpus as documents to index,
 * the queries, and the judgments (query id → document id → grade, &gt; 0 relevant).
 * {@code changedQrels} is empty except in instruction-following sets, where it holds the judgments
 * under each query's changed instruction.
 */
public record RetrievalDataset(String name, List<Document> corpus, List<EvalQuery> queries,
                               Map<String, Map<String, Integer>> qrels,
                               Map<String, Map<String, Integer>> changedQrels) {
    public RetrievalDataset {
        corpus = List.copyOf(corpus);
        queries = List.copyOf(queries);
        qrels = Map.copyOf(qrels);
        changedQrels = Map.copyOf(changedQrels);
    }

    /** True for FollowIR-style sets: every query carries an original and a changed instruction. */
    public boolean hasInstructionChanges() {
        return !changedQrels.isEmpty();
    }
}
