package io.poisk.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Per-query ranking metrics, computed as trec_eval (and so BEIR/MTEB through pytrec_eval) does:
 * a judgment value greater than zero means relevant, graded gains are the judgment values, and
 * ranks are 1-based positions in the ranked list as the engine returned it (ties are not re-broken).
 * A document id repeated in a ranked list counts only at its first position.
 */
public final class RankingMetrics {
    private RankingMetrics() {
    }

    /** nDCG@k: DCG = Σ rel_i / log2(i + 1) over the top k, divided by the same sum over the ideal ordering of the judgments. */
    public static double ndcgAt(List<String> ranked, Map<String, Integer> judgments, int k) {
        requirePositive(k);
        List<String> top = distinct(ranked);
        double dcg = 0;
        for (int i = 0; i < Math.min(k, top.size()); i++) {
            dcg += gain(judgments.get(top.get(i))) / log2(i + 2);
        }
        List<Integer> ideal = new ArrayList<>();
        judgments.values().forEach(v -> {
            if (v != null && v > 0) ideal.add(v);
        });
        ideal.sort((a, b) -> Integer.compare(b, a));
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) {
            idcg += ideal.get(i) / log2(i + 2);
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    /** recall@k: relevant documents in the top k over all relevant documents of the query. */
    public static double recallAt(List<String> ranked, Map<String, Integer> judgments, int k) {
        requirePositive(k);
        long relevant = relevantCount(judgments);
        if (relevant == 0) return 0;
        List<String> top = distinct(ranked);
        long found = top.subList(0, Math.min(k, top.size())).stream().filter(id -> isRelevant(judgments, id)).count();
        return (double) found / relevant;
    }

    /** Reciprocal rank of the first relevant document within the top k, 0 if there is none. */
    public static double reciprocalRankAt(List<String> ranked, Map<String, Integer> judgments, int k) {
        requirePositive(k);
        List<String> top = distinct(ranked);
        for (int i = 0; i < Math.min(k, top.size()); i++) {
            if (isRelevant(judgments, top.get(i))) return 1.0 / (i + 1);
        }
        return 0;
    }

    /**
     * Average precision over the whole ranked list (trec_eval's {@code map}): the precision at the
     * rank of each relevant retrieved document, summed, over the number of all judged-relevant documents.
     */
    public static double averagePrecision(List<String> ranked, Map<String, Integer> judgments) {
        long relevant = relevantCount(judgments);
        if (relevant == 0) return 0;
        List<String> all = distinct(ranked);
        double sum = 0;
        int found = 0;
        for (int i = 0; i < all.size(); i++) {
            if (isRelevant(judgments, all.get(i))) {
                found++;
                sum += (double) found / (i + 1);
            }
        }
        return sum / relevant;
    }

    static boolean isRelevant(Map<String, Integer> judgments, String id) {
        Integer v = judgments.get(id);
        return v != null && v > 0;
    }

    static long relevantCount(Map<String, Integer> judgments) {
        return judgments.values().stream().filter(v -> v != null && v > 0).count();
    }

    private static double gain(Integer judgment) {
        return judgment == null || judgment < 0 ? 0 : judgment;
    }

    private static double log2(int x) {
        return Math.log(x) / Math.log(2);
    }

    private static List<String> distinct(List<String> ranked) {
        return List.copyOf(new LinkedHashSet<>(ranked));
    }

    private static void requirePositive(int k) {
        if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
}
