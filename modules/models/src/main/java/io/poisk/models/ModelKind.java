package io.poisk.models;

/** What a model does, the card's {@code kind}: each kind has its own card type. */
public enum ModelKind implements CardValue {
    /** Texts to vectors: {@link EmbedderCard}. */
    EMBEDDER("embedder"),
    /** Query and document in one sequence, one logit: {@link CrossEncoderCard}. */
    CROSS_ENCODER("cross_encoder"),
    /** A prompted LLM answering yes/no: {@link LlmRerankerCard}. */
    LLM_RERANKER("llm_reranker");

    private final String cardName;

    ModelKind(String cardName) {
        this.cardName = cardName;
    }

    @Override
    public String cardName() {
        return cardName;
    }

    /** The card's spelling, so messages read as the card does ("is a cross_encoder"). */
    @Override
    public String toString() {
        return cardName;
    }
}
