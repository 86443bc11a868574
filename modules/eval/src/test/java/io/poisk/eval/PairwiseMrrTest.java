package io.poisk.eval;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PairwiseMrrTest {

    @Test
    void documentScoreFollowsMtebRankScore() {
        assertThat(PairwiseMrr.documentScore(1, 1)).isZero();
        // moved down from 1 to 3: 1 - (1/3)/(1/1)
        assertThat(PairwiseMrr.documentScore(1, 3)).isCloseTo(2.0 / 3, within(1e-12));
        // moved up from 4 to 2: (1/4)/(1/2) - 1
        assertThat(PairwiseMrr.documentScore(4, 2)).isCloseTo(-0.5, within(1e-12));
    }

    @Test
    void missingDocumentsRankAfterTheRun() {
        assertThat(PairwiseMrr.rankOf(List.of("a", "b", "c"), "c")).isEqualTo(3);
        assertThat(PairwiseMrr.rankOf(List.of("a", "b", "c"), "z")).isEqualTo(4);
    }

    @Test
    void changedDocumentsAreTheOriginalJudgmentsThatDiffer() {
        Map<String, Map<String, Integer>> og = Map.of("q1", Map.of("a", 1, "b", 1, "c", 0));
        Map<String, Map<String, Integer>> changed = Map.of("q1", Map.of("a", 0, "b", 1));
        assertThat(PairwiseMrr.changedDocuments(og, changed).get("q1")).containsExactly("a");
    }

    @Test
    void averagesPerQueryThenOverQueriesTimesHundred() {
        Map<String, List<String>> og = Map.of("q1", List.of("a", "b", "c"), "q2", List.of("x"));
        Map<String, List<String>> changed = Map.of("q1", List.of("b", "c", "d"), "q2", List.of("x"));
        Map<String, List<String>> diff = Map.of("q1", List.of("a", "c"), "q2", List.of("x"), "q3", List.of("y"));
        // q1: a 1 → 4 (absent): 1 - 1/4 = 0.75; c 3 → 2: (1/3)/(1/2) - 1 = -1/3; mean 0.208333…
        // q2: x 1 → 1: 0.  q3 is in neither run: skipped, as MTEB does.
        double q1 = (0.75 - 1.0 / 3) / 2;
        assertThat(PairwiseMrr.of(og, changed, diff)).isCloseTo(100 * (q1 + 0) / 2, within(1e-9));
        assertThat(PairwiseMrr.of(og, changed, diff)).isCloseTo(10.416666666, within(1e-6));
    }

    @Test
    void noComparableQueryIsNaN() {
        assertThat(PairwiseMrr.of(Map.of(), Map.of(), Map.of("q", List.of("a")))).isNaN();
    }
}
