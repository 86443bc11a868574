package io.poisk.models;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A cross-encoder ({@code kind: cross_encoder}): query and document in one sequence as a tokenizer pair
 * ({@code [CLS] query [SEP] document [SEP]}, truncated longest-first to max_length); the score is the
 * model's single logit. The query goes through the card's instruction and query templates, the document
 * through its passage template.
 */
public final class CrossEncoderReranker implements Reranker {
    private final CrossEncoderCard card;
    private final HuggingFaceTokenizer tokenizer;
    private final ScoringModel model;

    private CrossEncoderReranker(CrossEncoderCard card, HuggingFaceTokenizer tokenizer, ScoringModel model) {
        this.card = card;
        this.tokenizer = tokenizer;
        this.model = model;
    }

    public static CrossEncoderReranker open(CrossEncoderCard card) {
        return open(card, InferenceDevice.AUTO);
    }

    /** As {@link #open(CrossEncoderCard)}, on the given device. */
    public static CrossEncoderReranker open(CrossEncoderCard card, InferenceDevice device) {
        return open(card, device, InferenceThreads.allCores().reranker());
    }

    /** As {@link #open(CrossEncoderCard)}, on the given device, each forward call on {@code threads} intra-op threads. */
    public static CrossEncoderReranker open(CrossEncoderCard card, InferenceDevice device, int threads) {
        return DjlModels.openWithTokenizer(card, card.maxLength(), tokenizer -> {
            ScoringModel model = new ScoringModel(card, DjlModels.load(card, Logits.class, new LogitsTranslator(card.inputs()), device, threads), 0L);
            return new CrossEncoderReranker(card, tokenizer, model);
        });
    }

    @Override
    public CrossEncoderCard card() {
        return card;
    }

    @Override
    public float[] score(String query, String instruction, List<String> documents) {
        Objects.requireNonNull(query, "query");
        if (documents.isEmpty()) return new float[0];
        String renderedQuery = card.render(query, EmbeddingRole.QUERY, instruction);
        PairList<String, String> pairs = new PairList<>(documents.size());
        for (String document : documents) pairs.add(renderedQuery, card.render(document, EmbeddingRole.PASSAGE, null));
        Encoding[] encodings = tokenizer.batchEncode(pairs);
        List<TokenBatch.Tokens> sequences = new ArrayList<>(encodings.length);
        for (Encoding e : encodings) sequences.add(new TokenBatch.Tokens(e.getIds(), e.getTypeIds()));
        float[][] logits = model.forward(sequences);
        float[] scores = new float[logits.length];
        for (int i = 0; i < scores.length; i++) scores[i] = logits[i][0];
        return scores;
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}
