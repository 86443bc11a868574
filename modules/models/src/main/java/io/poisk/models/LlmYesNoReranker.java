package io.poisk.models;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.poisk.core.PoiskException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An LLM reranker that answers yes/no (Qwen3-Reranker) or true/false (FollowIR): the card's prompt is
 * tokenised as prefix + body + suffix (prefix and suffix without special tokens, the body with them and
 * truncated so the whole fits max_length), and the traced model returns the logits of the two answer
 * tokens at the last position. The score is P(positive) = softmax(positive, negative)[0].
 */
public final class LlmYesNoReranker implements Reranker {
    private final LlmRerankerCard card;
    private final RerankPrompt prompt;
    private final HuggingFaceTokenizer tokenizer;
    private final ScoringModel model;
    private final long[] prefixIds;
    private final long[] suffixIds;

    private LlmYesNoReranker(LlmRerankerCard card, HuggingFaceTokenizer tokenizer, ScoringModel model) {
        this.card = card;
        this.prompt = card.prompt();
        this.tokenizer = tokenizer;
        this.model = model;
        this.prefixIds = prompt.prefix().isEmpty() ? new long[0] : tokenizer.encode(prompt.prefix(), false, false).getIds();
        this.suffixIds = prompt.suffix().isEmpty() ? new long[0] : tokenizer.encode(prompt.suffix(), false, false).getIds();
        if (prefixIds.length + suffixIds.length >= card.maxLength()) {
            throw PoiskException.badRequest("model card '" + card.id() + "': prompt prefix and suffix take "
                    + (prefixIds.length + suffixIds.length) + " tokens, leaving nothing of max_length " + card.maxLength());
        }
    }

    public static LlmYesNoReranker open(LlmRerankerCard card) {
        return open(card, InferenceDevice.AUTO);
    }

    /** As {@link #open(LlmRerankerCard)}, on the given device. */
    public static LlmYesNoReranker open(LlmRerankerCard card, InferenceDevice device) {
        return open(card, device, InferenceThreads.allCores().reranker());
    }

    /** As {@link #open(LlmRerankerCard)}, on the given device, each forward call on {@code threads} intra-op threads. */
    public static LlmYesNoReranker open(LlmRerankerCard card, InferenceDevice device, int threads) {
        // No truncation by the tokenizer (0): score() truncates the body itself, around prefix and suffix.
        return DjlModels.openWithTokenizer(card, 0, tokenizer -> {
            for (String answer : card.prompt().answerTokens()) DjlModels.tokenId(tokenizer, card, answer, "answer token");
            long padId = card.padToken() == null ? 0L : DjlModels.tokenId(tokenizer, card, card.padToken(), "eos_token");
            ScoringModel model = new ScoringModel(card, DjlModels.load(card, Logits.class, new LogitsTranslator(card.inputs()), device, threads), padId);
            return new LlmYesNoReranker(card, tokenizer, model);
        });
    }

    @Override
    public LlmRerankerCard card() {
        return card;
    }

    @Override
    public float[] score(String query, String instruction, List<String> documents) {
        Objects.requireNonNull(query, "query");
        if (documents.isEmpty()) return new float[0];
        // Without an {instruction} slot in the prompt, the card's instruction template folds it into the query.
        String renderedQuery = card.render(query, EmbeddingRole.QUERY, prompt.takesInstruction() ? null : instruction);
        int bodyRoom = card.maxLength() - prefixIds.length - suffixIds.length;
        List<TokenBatch.Tokens> sequences = new ArrayList<>(documents.size());
        for (String document : documents) {
            String body = prompt.renderBody(renderedQuery, card.render(document, EmbeddingRole.PASSAGE, null), instruction);
            long[] bodyIds = tokenizer.encode(body, true, false).getIds();
            int bodyLength = Math.min(bodyIds.length, bodyRoom);
            long[] ids = new long[prefixIds.length + bodyLength + suffixIds.length];
            System.arraycopy(prefixIds, 0, ids, 0, prefixIds.length);
            System.arraycopy(bodyIds, 0, ids, prefixIds.length, bodyLength);
            System.arraycopy(suffixIds, 0, ids, prefixIds.length + bodyLength, suffixIds.length);
            sequences.add(new TokenBatch.Tokens(ids, new long[ids.length]));
        }
        float[][] logits = model.forward(sequences);
        float[] scores = new float[logits.length];
        for (int i = 0; i < scores.length; i++) scores[i] = positiveProbability(logits[i][0], logits[i][1]);
        return scores;
    }

    /** softmax([positive, negative])[0], computed stably. */
    static float positiveProbability(float positive, float negative) {
        return (float) (1.0 / (1.0 + Math.exp((double) negative - positive)));
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "LlmYesNoReranker[" + card.id() + ", answers " + Arrays.toString(prompt.answerTokens().toArray()) + "]";
    }
}
