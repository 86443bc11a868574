package io.poisk.models;

/** A card of a model that scores query-document pairs rather than embedding texts. */
public sealed interface RerankerCard extends ModelCard permits CrossEncoderCard, LlmRerankerCard {
    /** How many logits the traced model returns per sequence. */
    int outputs();
}
