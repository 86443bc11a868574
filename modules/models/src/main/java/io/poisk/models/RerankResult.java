package io.poisk.models;

/**
 * The outcome of reranking within a time budget.
 *
 * @param order document indices, best first: the scored documents by score, then the ones the budget
 *              left unscored in their first-stage order
 * @param scores the reranker's score per document (input order); NaN where not scored
 * @param scored per document (input order): whether the reranker scored it
 * @param complete true when every document was scored
 */
public record RerankResult(int[] order, float[] scores, boolean[] scored, boolean complete) {
    public int scoredCount() {
        int n = 0;
        for (boolean s : scored) if (s) n++;
        return n;
    }
}
