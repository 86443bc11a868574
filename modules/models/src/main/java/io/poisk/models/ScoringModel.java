package io.poisk.models;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Runs token sequences through a scoring model in padded batches of similar length; one logits row each. */
final class ScoringModel implements AutoCloseable {
    private static final int MAX_FORWARD_BATCH = 32;

    private final RerankerCard card;
    private final ZooModel<TokenBatch, Logits> model;
    private final long padId;

    ScoringModel(RerankerCard card, ZooModel<TokenBatch, Logits> model, long padId) {
        this.card = card;
        this.model = model;
        this.padId = padId;
    }

    /** Logits rows of {@code card.outputs()} floats, in input order. */
    float[][] forward(List<TokenBatch.Tokens> sequences) {
        float[][] out = new float[sequences.size()][];
        if (sequences.isEmpty()) return out;
        Integer[] order = new Integer[sequences.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> sequences.get(i).length()));
        try (Predictor<TokenBatch, Logits> predictor = model.newPredictor()) {
            for (int from = 0; from < order.length; from += MAX_FORWARD_BATCH) {
                int to = Math.min(order.length, from + MAX_FORWARD_BATCH);
                List<TokenBatch.Tokens> rows = new ArrayList<>(to - from);
                for (int k = from; k < to; k++) rows.add(sequences.get(order[k]));
                Logits logits = predictor.predict(TokenBatch.pad(rows, padId, card.leftPadding()));
                if (logits.batchSize() != rows.size() || logits.width() != card.outputs()) {
                    throw new PoiskException(ErrorCode.INTERNAL, "model '" + card.id() + "' returned [" + logits.batchSize()
                            + ", " + logits.width() + "] logits for " + rows.size() + " sequences; its card says "
                            + card.outputs() + " per sequence");
                }
                for (int r = 0; r < rows.size(); r++) {
                    out[order[from + r]] = Arrays.copyOfRange(logits.values(), r * logits.width(), (r + 1) * logits.width());
                }
            }
        } catch (TranslateException e) {
            throw new PoiskException(ErrorCode.INTERNAL, "model '" + card.id() + "' failed to score: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
