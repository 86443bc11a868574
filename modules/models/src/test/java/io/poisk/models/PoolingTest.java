package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoolingTest {
    // batch 2, sequence 3, hidden 2; token t of row r has hidden state (10r + t, -(10r + t))
    private static final float[] HIDDEN = {0, -0, 1, -1, 2, -2, 10, -10, 11, -11, 12, -12};

    @Test
    void meanAveragesOnlyRealTokensWithRightPadding() {
        long[] mask = {1, 1, 0, 1, 1, 1};
        assertThat(Pooling.MEAN.pool(HIDDEN, mask, 0, 3, 2, 2)).containsExactly(0.5f, -0.5f);
        assertThat(Pooling.MEAN.pool(HIDDEN, mask, 1, 3, 2, 2)).containsExactly(11f, -11f);
    }

    @Test
    void meanAveragesOnlyRealTokensWithLeftPadding() {
        long[] mask = {0, 1, 1, 0, 0, 1};
        assertThat(Pooling.MEAN.pool(HIDDEN, mask, 0, 3, 2, 2)).containsExactly(1.5f, -1.5f);
        assertThat(Pooling.MEAN.pool(HIDDEN, mask, 1, 3, 2, 2)).containsExactly(12f, -12f);
    }

    @Test
    void clsTakesTheFirstRealToken() {
        assertThat(Pooling.CLS.pool(HIDDEN, new long[] {1, 1, 0, 1, 1, 1}, 1, 3, 2, 2)).containsExactly(10f, -10f);
        assertThat(Pooling.CLS.pool(HIDDEN, new long[] {0, 1, 1, 0, 0, 1}, 0, 3, 2, 2)).containsExactly(1f, -1f);
    }

    @Test
    void lastTokenTakesTheLastRealTokenWithRightPadding() {
        long[] mask = {1, 1, 0, 1, 0, 0};
        assertThat(Pooling.LAST_TOKEN.pool(HIDDEN, mask, 0, 3, 2, 2)).containsExactly(1f, -1f);
        assertThat(Pooling.LAST_TOKEN.pool(HIDDEN, mask, 1, 3, 2, 2)).containsExactly(10f, -10f);
    }

    @Test
    void lastTokenTakesTheLastPositionWithLeftPadding() {
        long[] mask = {0, 1, 1, 0, 0, 1};
        assertThat(Pooling.LAST_TOKEN.pool(HIDDEN, mask, 0, 3, 2, 2)).containsExactly(2f, -2f);
        assertThat(Pooling.LAST_TOKEN.pool(HIDDEN, mask, 1, 3, 2, 2)).containsExactly(12f, -12f);
    }

    @Test
    void keepsLeadingFeaturesForMatryoshkaDimensions() {
        assertThat(Pooling.CLS.pool(HIDDEN, new long[] {1, 1, 1, 1, 1, 1}, 1, 3, 2, 1)).containsExactly(10f);
    }

    @Test
    void refusesARowWithoutTokens() {
        assertThatThrownBy(() -> Pooling.MEAN.pool(HIDDEN, new long[] {0, 0, 0, 1, 1, 1}, 0, 3, 2, 2))
                .hasMessageContaining("no real tokens");
    }

    @Test
    void normalizesToUnitLength() {
        assertThat(Pooling.normalize(new float[] {3, 4})).containsExactly(0.6f, 0.8f);
        assertThat(Pooling.normalize(new float[] {0, 0})).containsExactly(0f, 0f);
        float[] v = Pooling.normalize(new float[] {1e-3f, 2e-3f, -5e-3f});
        assertThat(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).isCloseTo(1f, within(1e-6f));
    }

    @Test
    void namesMatchTheCard() {
        assertThat(Pooling.MEAN.cardName()).isEqualTo("mean");
        assertThat(Pooling.CLS.cardName()).isEqualTo("cls");
        assertThat(Pooling.LAST_TOKEN.cardName()).isEqualTo("last_token");
        assertThat(Pooling.PREFIX_MEAN.cardName()).isEqualTo("prefix_mean");
    }

    @Test
    void padsRowsOnTheRightWithMaskZero() {
        TokenBatch batch = TokenBatch.pad(List.of(
                new TokenBatch.Tokens(new long[] {101, 7, 102}, new long[] {0, 0, 0}),
                new TokenBatch.Tokens(new long[] {101, 102}, new long[] {0, 1})), 0L);
        assertThat(batch.batchSize()).isEqualTo(2);
        assertThat(batch.sequenceLength()).isEqualTo(3);
        assertThat(batch.inputIds()).containsExactly(101, 7, 102, 101, 102, 0);
        assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 1, 1, 0);
        assertThat(batch.tokenTypeIds()).containsExactly(0, 0, 0, 0, 1, 0);
    }

    @Test
    void prefixMeanLeavesOutTokensThroughTheFirstSeparator() {
        // row 0: ids 5 ':'(9) 7 -> mean of token 2 only; row 1 has no separator -> all real tokens
        long[] ids = {5, 9, 7, 4, 4, 0};
        long[] mask = {1, 1, 1, 1, 1, 0};
        long[] poolMask = Pooling.maskThroughSeparator(ids, mask, 2, 3, 9);
        assertThat(poolMask).containsExactly(0, 0, 1, 1, 1, 0);
        assertThat(Pooling.PREFIX_MEAN.pool(HIDDEN, poolMask, 0, 3, 2, 2)).containsExactly(2f, -2f);
        assertThat(Pooling.PREFIX_MEAN.pool(HIDDEN, poolMask, 1, 3, 2, 2)).containsExactly(10.5f, -10.5f);
        // a separator as the last real token leaves the row whole
        assertThat(Pooling.maskThroughSeparator(new long[] {5, 9, 0}, new long[] {1, 1, 0}, 1, 3, 9)).containsExactly(1, 1, 0);
    }

    @Test
    void padsOnTheLeftForDecoders() {
        TokenBatch batch = TokenBatch.pad(List.of(
                new TokenBatch.Tokens(new long[] {1, 2, 3}, new long[] {0, 0, 0}),
                new TokenBatch.Tokens(new long[] {4}, new long[] {0})), 9L, true);
        assertThat(batch.inputIds()).containsExactly(1, 2, 3, 9, 9, 4);
        assertThat(batch.attentionMask()).containsExactly(1, 1, 1, 0, 0, 1);
    }
}
