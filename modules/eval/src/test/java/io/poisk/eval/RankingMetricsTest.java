package io.poisk.eval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RankingMetricsTest {
    // a judged 0 (not relevant), b=2, c=1, e=3 (never retrieved)
    private static final Map<String, Integer> JUDGED = Map.of("a", 0, "b", 2, "c", 1, "e", 3);
    private static final List<String> RANKED = List.of("a", "b", "c", "d");

    @Test
    void ndcgUsesGradedGainsAndTheIdealOrderOfAllJudgments() {
        // DCG@3 = 0/log2(2) + 2/log2(3) + 1/log2(4); IDCG@3 = 3/log2(2) + 2/log2(3) + 1/log2(4)
        double dcg = 2 / log2(3) + 0.5;
        double idcg = 3 + 2 / log2(3) + 0.5;
        assertThat(RankingMetrics.ndcgAt(RANKED, JUDGED, 3)).isCloseTo(dcg / idcg, within(1e-12));
        assertThat(RankingMetrics.ndcgAt(RANKED, JUDGED, 3)).isCloseTo(0.36999401273810767, within(1e-12));
        // k=1: the first hit has gain 0
        assertThat(RankingMetrics.ndcgAt(RANKED, JUDGED, 1)).isZero();
        // a perfect ranking scores 1
        assertThat(RankingMetrics.ndcgAt(List.of("e", "b", "c"), JUDGED, 10)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void ndcgOfASingleRelevantDocumentAtRankTwo() {
        assertThat(RankingMetrics.ndcgAt(List.of("x", "y"), Map.of("y", 1), 10)).isCloseTo(1 / log2(3), within(1e-12));
    }

    @Test
    void recallCountsRelevantInTopKOverAllRelevant() {
        assertThat(RankingMetrics.recallAt(RANKED, JUDGED, 3)).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(RankingMetrics.recallAt(RANKED, JUDGED, 2)).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(RankingMetrics.recallAt(RANKED, Map.of("a", 0), 3)).isZero();
    }

    @Test
    void reciprocalRankIsCutAtK() {
        assertThat(RankingMetrics.reciprocalRankAt(RANKED, JUDGED, 3)).isEqualTo(0.5);
        assertThat(RankingMetrics.reciprocalRankAt(RANKED, JUDGED, 1)).isZero();
    }

    @Test
    void averagePrecisionDividesByAllJudgedRelevant() {
        // relevant b at 2 (P=1/2), c at 3 (P=2/3); 3 relevant in all (b, c, e)
        assertThat(RankingMetrics.averagePrecision(RANKED, JUDGED)).isCloseTo((0.5 + 2.0 / 3) / 3, within(1e-12));
    }

    @Test
    void repeatedIdsCountOnce() {
        assertThat(RankingMetrics.recallAt(List.of("b", "b", "b"), JUDGED, 3)).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(RankingMetrics.averagePrecision(List.of("b", "b", "c"), JUDGED)).isCloseTo((1 + 1) / 3.0, within(1e-12));
    }

    @Test
    void runScoresAverageOverJudgedQueriesAndMissingQueriesScoreZero() {
        Map<String, Map<String, Integer>> qrels = Map.of(
                "q1", Map.of("d1", 1),
                "q2", Map.of("d2", 1),
                "q3", Map.of("d3", 0)); // no relevant document: not counted
        Map<String, List<String>> run = Map.of("q1", List.of("d1", "d9"), "q3", List.of("d3"));
        RetrievalScores s = RetrievalScores.of(run, qrels, 10);
        assertThat(s.queries()).isEqualTo(2);
        assertThat(s.ndcg()).isCloseTo(0.5, within(1e-12));
        assertThat(s.recall()).isCloseTo(0.5, within(1e-12));
        assertThat(s.mrr()).isCloseTo(0.5, within(1e-12));
        assertThat(s.map()).isCloseTo(0.5, within(1e-12));
        assertThat(s.asMap("")).containsOnlyKeys("ndcg@10", "recall@10", "mrr@10", "map");
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
