package io.poisk.models;

/**
 * A cross-encoder ({@code kind: cross_encoder}): query and document as one tokenizer pair; the score is
 * the model's one logit. Nothing beyond the common part: pooling and normalising mean nothing here.
 */
public record CrossEncoderCard(CardBase base) implements RerankerCard {
    public CrossEncoderCard {
        if (base == null) throw new NullPointerException("base");
    }

    @Override
    public ModelKind kind() {
        return ModelKind.CROSS_ENCODER;
    }

    @Override
    public int outputs() {
        return 1;
    }
}
