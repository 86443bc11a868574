package io.poisk.index;

import io.poisk.index.MergePolicy.SegmentStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The merge policy as a table: segments (name:documents:deleted) and limit → the segments merged next. */
class MergePolicyTest {

    static Stream<Arguments> table() {
        return Stream.of(
                // nothing on disk, or under the limit without deletes: nothing to do
                Arguments.of(4, "", ""),
                Arguments.of(4, "a:100:0 b:100:0 c:100:0 d:100:0", ""),
                // one over the limit: the two smallest by live documents
                Arguments.of(4, "a:100:0 b:10:0 c:100:0 d:50:0 e:100:0", "b d"),
                // deletes count against size: b has 100 documents but 95 deleted, so it is the smallest
                Arguments.of(4, "a:100:0 b:100:95 c:30:0 d:50:0 e:100:0", "b c"),
                // far over the limit: just enough of the smallest to get back to the limit
                Arguments.of(2, "a:1:0 b:2:0 c:3:0 d:4:0 e:5:0", "a b c d"),
                // ties broken by name, so the choice is deterministic
                Arguments.of(1, "b:5:0 a:5:0", "a b"),
                // under the limit, a segment with 30% or more deleted is rewritten alone
                Arguments.of(4, "a:100:29 b:100:0", ""),
                Arguments.of(4, "a:100:30 b:100:0", "a"),
                // the most deleted share first
                Arguments.of(4, "a:100:40 b:10:9 c:100:0", "b"),
                // a segment whose every document is deleted is rewritten (to nothing)
                Arguments.of(4, "a:7:7", "a"),
                // the count rule comes first even when a segment is full of tombstones
                Arguments.of(2, "a:100:90 b:100:0 c:5:0", "a c"));
    }

    @ParameterizedTest(name = "max {0}: [{1}] → [{2}]")
    @MethodSource("table")
    void choosesTheSegmentsToMerge(int maxSegments, String segments, String expected) {
        List<SegmentStats> stats = Arrays.stream(segments.split(" ")).filter(s -> !s.isEmpty()).map(s -> {
            String[] p = s.split(":");
            return new SegmentStats(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]));
        }).toList();
        List<String> chosen = MergePolicy.withMaxSegments(maxSegments).choose(stats);
        assertThat(chosen).containsExactlyInAnyOrder(Arrays.stream(expected.split(" ")).filter(s -> !s.isEmpty()).toArray(String[]::new));
    }

    @ParameterizedTest
    @MethodSource("badSettings")
    void refusesSettingsThatCannotWork(int maxSegments, double ratio) {
        assertThatThrownBy(() -> new MergePolicy(maxSegments, ratio)).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(Arguments.of(0, 0.3), Arguments.of(4, 0.0), Arguments.of(4, 1.5), Arguments.of(4, Double.NaN));
    }
}
