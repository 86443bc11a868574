package io.poisk.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.util.List;

/**
 * Feeds a padded {@link TokenBatch} to a scoring model by position (the card's inputs) and copies out its
 * [batch, width] logits: one per pair for a cross-encoder, the two answer-token logits for an LLM reranker.
 */
final class LogitsTranslator implements Translator<TokenBatch, Logits> {
    private final List<String> inputs;

    LogitsTranslator(List<String> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, TokenBatch batch) {
        return ModelInputs.of(ctx.getNDManager(), batch, inputs);
    }

    @Override
    public Logits processOutput(TranslatorContext ctx, NDList outputs) {
        NDArray logits = outputs.get(0);
        Shape shape = logits.getShape();
        if (shape.dimension() == 1) shape = new Shape(shape.get(0), 1);
        if (shape.dimension() != 2) {
            throw new IllegalStateException("expected [batch, logits] from a scoring model, got shape " + logits.getShape());
        }
        if (logits.getDataType() != DataType.FLOAT32) logits = logits.toType(DataType.FLOAT32, false);
        return new Logits(logits.toFloatArray(), (int) shape.get(0), (int) shape.get(1));
    }

    @Override
    public Batchifier getBatchifier() {
        return null;
    }
}
