package io.poisk.models;

/**
 * An LLM yes/no reranker ({@code kind: llm_reranker}): the prompt around query and document, and the
 * two answer tokens whose logits the traced model returns at the last position.
 *
 * @param padToken the token batches pad with (card: eos_token with append_eos); null pads with id 0
 */
public record LlmRerankerCard(CardBase base, RerankPrompt prompt, String padToken) implements RerankerCard {
    public LlmRerankerCard {
        base.require(prompt != null, "an llm_reranker card needs a prompt");
        base.require(padToken == null || !padToken.isEmpty(), "eos_token must not be empty");
    }

    @Override
    public ModelKind kind() {
        return ModelKind.LLM_RERANKER;
    }

    /** One logit per answer token: positive, negative. */
    @Override
    public int outputs() {
        return prompt.answerTokens().size();
    }
}
