package io.poisk.index;

import io.poisk.core.ErrorCode;
import io.poisk.core.Hit;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RankFusionTest {
    private static Hit hit(String id, float score) {
        return new Hit(id, score, "t" + id, Map.of());
    }

    private final List<Hit> dense = List.of(hit("a", 0.9f), hit("b", 0.8f), hit("c", 0.5f));
    private final List<Hit> lexical = List.of(hit("c", 12f), hit("d", 6f), hit("a", 2f));

    @Test
    void reciprocalRankFusionSumsOneOverKPlusRank() {
        List<Hit> fused = RankFusion.fuse(dense, lexical, new Fusion.Rrf(60), 10);
        // a: 1/61 + 1/63, c: 1/63 + 1/61 (tie, a first: seen first), b: 1/62, d: 1/62
        assertThat(fused).extracting(Hit::id).containsExactly("a", "c", "b", "d");
        assertThat(fused.getFirst().score()).isCloseTo((float) (1.0 / 61 + 1.0 / 63), within(1e-6f));
        assertThat(RankFusion.fuse(dense, lexical, new Fusion.Rrf(60), 2)).hasSize(2);
    }

    @Test
    void weightedFusionNormalisesEachListToZeroOne() {
        List<Hit> fused = RankFusion.fuse(dense, lexical, new Fusion.Weighted(0.3, 0.7), 10);
        // dense normalised: a 1, b 0.75, c 0; lexical: c 1, d 0.4, a 0
        assertThat(fused).extracting(Hit::id).containsExactly("c", "a", "d", "b");
        assertThat(fused.get(0).score()).isCloseTo(0.7f, within(1e-5f));
        assertThat(fused.get(1).score()).isCloseTo(0.3f, within(1e-5f));
        assertThat(fused.get(2).score()).isCloseTo(0.28f, within(1e-5f));
        assertThat(fused.get(3).score()).isCloseTo(0.225f, within(1e-5f));
    }

    @Test
    void fusionIsParsedFromItsJsonFormWithClearErrors() {
        assertThat(Fusion.fromMap(null)).isEqualTo(new Fusion.Weighted(0.2, 0.8));
        assertThat(Fusion.fromMap(Map.of("method", "weighted", "dense", 0.5))).isEqualTo(new Fusion.Weighted(0.5, 0.8));
        assertThat(Fusion.fromMap(Map.of("method", "rrf"))).isEqualTo(new Fusion.Rrf(60));
        assertThat(Fusion.fromMap(Map.of("method", "rrf", "k", 10))).isEqualTo(new Fusion.Rrf(10));
        assertThat(Fusion.fromMap(Map.of("method", "weighted", "dense", 0.2, "lexical", 0.8))).isEqualTo(new Fusion.Weighted(0.2, 0.8));
        assertThatThrownBy(() -> Fusion.fromMap(Map.of("method", "max"))).isInstanceOfSatisfying(PoiskException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY));
        assertThatThrownBy(() -> Fusion.fromMap(Map.of("method", "weighted", "dense", -1))).isInstanceOf(PoiskException.class);
    }
}
