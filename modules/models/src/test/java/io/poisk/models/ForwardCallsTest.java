package io.poisk.models;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** How {@link DjlEmbedder} splits one batch of texts, sorted by token length, into forward calls. */
class ForwardCallsTest {
    private static final long CAP = DjlEmbedder.CPU_MAX_FORWARD_TOKENS;

    @Test
    void oneThreadCallsTakeOnlyTextsOfOneLength() {
        assertThat(DjlEmbedder.forwardCallEnds(new int[] {5, 5, 6, 6, 6, 9}, 1, CAP)).containsExactly(2, 5, 6);
    }

    @Test
    void sharedCallsTakeTextsUntilPaddingWouldDoubleTheWork() {
        // 6 texts padded to 9 tokens = 54 padded for 37 real: within 2x
        assertThat(DjlEmbedder.forwardCallEnds(new int[] {5, 5, 6, 6, 6, 9}, DjlEmbedder.MAX_PADDING_SHARED, CAP)).containsExactly(6);
        // 3 texts padded to 10 = 30 for 12 real: past 2x, so the long one goes alone
        assertThat(DjlEmbedder.forwardCallEnds(new int[] {1, 1, 10}, DjlEmbedder.MAX_PADDING_SHARED, CAP)).containsExactly(2, 3);
    }

    @Test
    void aCallStaysUnderTheTokenCapAndTheBatchLimit() {
        assertThat(DjlEmbedder.forwardCallEnds(new int[] {300, 300}, 2, CAP)).containsExactly(1, 2);
        assertThat(DjlEmbedder.forwardCallEnds(new int[] {600}, 2, CAP)).containsExactly(1);
        int[] many = new int[70];
        Arrays.fill(many, 1);
        assertThat(DjlEmbedder.forwardCallEnds(many, 1, CAP)).containsExactly(64, 70);
        assertThat(DjlEmbedder.forwardCallEnds(new int[0], 1, CAP)).isEmpty();
    }
}
