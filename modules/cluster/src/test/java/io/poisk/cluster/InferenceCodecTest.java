package io.poisk.cluster;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.RerankResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InferenceCodecTest {

    @Test
    void embedRequestsRoundTripWithRoleInstructionAndAnyText() {
        List<String> texts = List.of("passage: обычный текст", "", "emoji 🙂 and \u0000 nul", "x".repeat(10_000));
        InferenceCodec.EmbedRequest back = InferenceCodec.embedRequest(InferenceCodec.embedRequest(texts, EmbeddingRole.QUERY, "find the cause"));
        assertThat(back.texts()).isEqualTo(texts);
        assertThat(back.role()).isEqualTo(EmbeddingRole.QUERY);
        assertThat(back.instruction()).isEqualTo("find the cause");

        InferenceCodec.EmbedRequest none = InferenceCodec.embedRequest(InferenceCodec.embedRequest(List.of("a"), EmbeddingRole.PASSAGE, null));
        assertThat(none.instruction()).isNull();
        assertThat(none.role()).isEqualTo(EmbeddingRole.PASSAGE);
    }

    @Test
    void vectorsAreFloat32BitExactAndFourBytesEach() {
        float[][] vectors = {{0.1f, -0f, Float.MIN_VALUE, 1e30f}, {Float.NaN, -1f, 3.14159f, 0.5f}, {1, 2, 3, 4}};
        Buffer wire = InferenceCodec.vectors(vectors);
        assertThat(wire.length()).as("version, kind, n, dim, then 4 bytes a float: no JSON").isEqualTo(2 + 4 + 4 + 3 * 4 * 4);
        float[][] back = InferenceCodec.vectors(wire);
        for (int i = 0; i < vectors.length; i++) {
            for (int j = 0; j < 4; j++) assertThat(Float.floatToRawIntBits(back[i][j])).isEqualTo(Float.floatToRawIntBits(vectors[i][j]));
        }
        assertThat(InferenceCodec.vectors(InferenceCodec.vectors(new float[0][]))).isEmpty();
    }

    @Test
    void rerankRequestsAndResultsRoundTrip() {
        InferenceCodec.RerankRequest r = InferenceCodec.rerankRequest(InferenceCodec.rerankRequest("q", null, List.of("d1", "d2"), 1500));
        assertThat(r.query()).isEqualTo("q");
        assertThat(r.instruction()).isNull();
        assertThat(r.documents()).containsExactly("d1", "d2");
        assertThat(r.budgetMs()).isEqualTo(1500);

        RerankResult result = new RerankResult(new int[]{1, 0, 2}, new float[]{0.2f, 0.9f, Float.NaN}, new boolean[]{true, true, false}, false);
        RerankResult back = InferenceCodec.rerankResult(InferenceCodec.rerankResult(result));
        assertThat(back.order()).containsExactly(1, 0, 2);
        assertThat(back.scores()[0]).isEqualTo(0.2f);
        assertThat(back.scores()[1]).isEqualTo(0.9f);
        assertThat(back.scores()[2]).isNaN();
        assertThat(back.scored()).containsExactly(true, true, false);
        assertThat(back.complete()).isFalse();
        assertThat(back.scoredCount()).isEqualTo(2);
    }

    @Test
    void anotherVersionAKindMixUpAndATruncatedBodyAreRefusedByName() {
        Buffer other = InferenceCodec.vectors(new float[][]{{1f}});
        other.setByte(0, (byte) 2);
        assertThatThrownBy(() -> InferenceCodec.vectors(other)).isInstanceOf(PoiskException.class)
                .hasMessageContaining("version 2").hasMessageContaining("version 1");
        Buffer request = InferenceCodec.embedRequest(List.of("a"), EmbeddingRole.QUERY, null);
        assertThatThrownBy(() -> InferenceCodec.vectors(request)).hasMessageContaining("kind");
        Buffer whole = InferenceCodec.vectors(new float[][]{{1f, 2f}});
        assertThatThrownBy(() -> InferenceCodec.vectors(whole.getBuffer(0, whole.length() - 1)))
                .isInstanceOf(PoiskException.class).hasMessageContaining("truncated");
        Buffer lying = InferenceCodec.embedRequest(List.of("abc"), EmbeddingRole.QUERY, null);
        assertThatThrownBy(() -> InferenceCodec.embedRequest(lying.getBuffer(0, lying.length() - 2))).hasMessageContaining("truncated");
        assertThatThrownBy(() -> InferenceCodec.vectors(Buffer.buffer())).hasMessageContaining("truncated");
    }

    @Test
    void aWorkersFailedReplyKeepsItsErrorCodeAndMessage() {
        PoiskException e = InferenceCodec.error(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 429, "overloaded: embedding queue is full"));
        assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
        assertThat(e.getMessage()).isEqualTo("embedding queue is full");
        assertThat(InferenceCodec.error(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 500, "boom")).code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(InferenceCodec.error(new ReplyException(ReplyFailure.TIMEOUT, -1, "timed out")).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }
}
