package io.poisk.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * p-MRR, FollowIR's measure of instruction following, computed as MTEB does
 * ({@code calculate_pmrr} / {@code rank_score} in its retrieval metrics): for every document whose
 * judgment differs between the original and the changed instruction, compare its rank in the run
 * with the original instruction to its rank in the run with the changed one (a document missing
 * from a run ranks at the run's length + 1); average the per-document scores per query, then over
 * queries. Reported ×100, as the FollowIR paper and leaderboards do.
 */
public final class PairwiseMrr {
    private PairwiseMrr() {
    }

    /** 1-based rank of {@code doc} in the run, or the run's length + 1 when absent. */
    public static int rankOf(List<String> run, String doc) {
        int i = run.indexOf(doc);
        return i < 0 ? run.size() + 1 : i + 1;
    }

    /**
     * MTEB's {@code rank_score}: with MRR = 1/rank, MRR_og/MRR_new − 1 when the document did not move
     * down (og rank ≥ new rank, a score ≤ 0), else 1 − MRR_new/MRR_og (it moved down: a score > 0).
     */
    public static double documentScore(int originalRank, int newRank) {
        double mrrOriginal = 1.0 / originalRank;
        double mrrNew = 1.0 / newRank;
        if (originalRank >= newRank) return mrrOriginal / mrrNew - 1;
        return 1 - mrrNew / mrrOriginal;
    }

    /**
     * MTEB's {@code create_qrel_diff}: per query, the documents judged under the original instruction
     * whose judgment under the changed one differs (a document the changed qrels omit counts as 0).
     */
    public static Map<String, List<String>> changedDocuments(Map<String, Map<String, Integer>> originalQrels,
                                                             Map<String, Map<String, Integer>> changedQrels) {
        Map<String, List<String>> diff = new LinkedHashMap<>();
        originalQrels.forEach((qid, judgments) -> {
            Map<String, Integer> changed = changedQrels.getOrDefault(qid, Map.of());
            List<String> docs = new ArrayList<>();
            judgments.forEach((doc, og) -> {
                if (changed.getOrDefault(doc, 0).intValue() != og.intValue()) docs.add(doc);
            });
            diff.put(qid, docs);
        });
        return diff;
    }

    /**
     * p-MRR ×100 over the queries present in both runs that have at least one changed document;
     * NaN when there is no such query.
     */
    public static double of(Map<String, List<String>> originalRun, Map<String, List<String>> changedRun,
                            Map<String, List<String>> changedDocuments) {
        double total = 0;
        int queries = 0;
        for (var e : changedDocuments.entrySet()) {
            List<String> og = originalRun.get(e.getKey());
            List<String> changed = changedRun.get(e.getKey());
            if (og == null || changed == null || e.getValue().isEmpty()) continue;
            double sum = 0;
            for (String doc : e.getValue()) {
                sum += documentScore(rankOf(og, doc), rankOf(changed, doc));
            }
            total += sum / e.getValue().size();
            queries++;
        }
        return queries == 0 ? Double.NaN : 100 * total / queries;
    }
}
