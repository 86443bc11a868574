package io.poisk.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.util.PairList;
import ai.djl.translate.TranslatorContext;
import java.util.List;

/**
 * Feeds a padded {@link TokenBatch} to a transformer and copies out its last hidden state, leaving
 * pooling to plain Java (the same code path for every engine). Inputs go by name where the engine
 * knows the model's input names (ONNX Runtime), otherwise by position in the card's {@code inputs} order
 * ((input_ids, attention_mask, token_type_ids) for encoders, (input_ids, attention_mask) for decoders,
 * the signatures ops/models/export.py traces).
 */
final class HiddenStateTranslator implements Translator<TokenBatch, HiddenStates> {
    private static final String LAST_HIDDEN_STATE = "last_hidden_state";

    private final boolean feedByName;
    /** By position: the card's inputs; by name: read once from the engine. */
    private volatile List<String> inputNames;

    /**
     * @param feedByName true where the engine knows the model's input names (ONNX Runtime)
     * @param positionalInputs the inputs a TorchScript model takes, in order (the card's {@code inputs})
     */
    HiddenStateTranslator(boolean feedByName, List<String> positionalInputs) {
        this.feedByName = feedByName;
        this.inputNames = feedByName ? null : List.copyOf(positionalInputs);
    }

    @Override
    public void prepare(TranslatorContext ctx) {
        if (!feedByName || inputNames != null) return; // prepare runs for every new predictor
        PairList<String, Shape> described = ctx.getModel().describeInput();
        if (described == null || described.isEmpty() || described.keys().stream().anyMatch(k -> k == null)) {
            throw new IllegalStateException("the engine does not name the model's inputs");
        }
        inputNames = List.copyOf(described.keys());
    }

    @Override
    public NDList processInput(TranslatorContext ctx, TokenBatch batch) {
        return ModelInputs.of(ctx.getNDManager(), batch, inputNames);
    }

    @Override
    public HiddenStates processOutput(TranslatorContext ctx, NDList outputs) {
        NDArray hidden = outputs.contains(LAST_HIDDEN_STATE) ? outputs.get(LAST_HIDDEN_STATE) : outputs.get(0);
        Shape shape = hidden.getShape();
        if (shape.dimension() != 3) {
            throw new IllegalStateException("expected a [batch, sequence, hidden] output, got shape " + shape);
        }
        if (hidden.getDataType() != DataType.FLOAT32) {
            hidden = hidden.toType(DataType.FLOAT32, false);
        }
        return new HiddenStates(hidden.toFloatArray(), (int) shape.get(0), (int) shape.get(1), (int) shape.get(2));
    }

    @Override
    public Batchifier getBatchifier() {
        return null; // batches are formed and padded by the embedder
    }
}
