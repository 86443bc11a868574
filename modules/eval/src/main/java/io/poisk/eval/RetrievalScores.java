package io.poisk.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of a whole run, each the mean of its per-query value over the judged queries:
 * those with at least one relevant judgment. A judged query missing from the run scores 0.
 */
public record RetrievalScores(int k, int queries, double ndcg, double recall, double mrr, double map) {

    /**
     * @param run    query id → document ids, best first
     * @param qrels  query id → (document id → judgment)
     */
    public static RetrievalScores of(Map<String, List<String>> run, Map<String, Map<String, Integer>> qrels, int k) {
        double ndcg = 0, recall = 0, mrr = 0, map = 0;
        int n = 0;
        for (var e : qrels.entrySet()) {
            Map<String, Integer> judgments = e.getValue();
            if (RankingMetrics.relevantCount(judgments) == 0) continue;
            List<String> ranked = run.getOrDefault(e.getKey(), List.of());
            ndcg += RankingMetrics.ndcgAt(ranked, judgments, k);
            recall += RankingMetrics.recallAt(ranked, judgments, k);
            mrr += RankingMetrics.reciprocalRankAt(ranked, judgments, k);
            map += RankingMetrics.averagePrecision(ranked, judgments);
            n++;
        }
        if (n == 0) return new RetrievalScores(k, 0, 0, 0, 0, 0);
        return new RetrievalScores(k, n, ndcg / n, recall / n, mrr / n, map / n);
    }

    /** Metric name → value, with the names the reports use ({@code ndcg@10}, {@code recall@10}, {@code mrr@10}, {@code map}). */
    public Map<String, Double> asMap(String suffix) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("ndcg@" + k + suffix, ndcg);
        m.put("recall@" + k + suffix, recall);
        m.put("mrr@" + k + suffix, mrr);
        m.put("map" + suffix, map);
        return m;
    }
}
