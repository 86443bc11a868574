package io.poisk.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
 * knows the model's input names (ONNX Runtime), otherwise by position as
 * (input_ids, attention_mask, token_type_ids) — the signature ops/models/export_torchscript.py traces.
 */
final class HiddenStateTranslator implements Translator<TokenBatch, HiddenStates> {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";
    private static final String LAST_HIDDEN_STATE = "last_hidden_state";

    private final boolean feedByName;
    /** The model's input names in order, read once from the engine when feeding by name. */
    private volatile List<String> modelInputNames;

    /** @param feedByName true where the engine knows the model's input names (ONNX Runtime) */
    HiddenStateTranslator(boolean feedByName) {
        this.feedByName = feedByName;
    }

    @Override
    public void prepare(TranslatorContext ctx) {
        if (!feedByName || modelInputNames != null) return; // prepare runs for every new predictor
        PairList<String, Shape> described = ctx.getModel().describeInput();
        if (described == null || described.isEmpty() || described.keys().stream().anyMatch(k -> k == null)) {
            throw new IllegalStateException("the engine does not name the model's inputs");
        }
        modelInputNames = List.copyOf(described.keys());
    }

    @Override
    public NDList processInput(TranslatorContext ctx, TokenBatch batch) {
        NDManager manager = ctx.getNDManager();
        Shape shape = new Shape(batch.batchSize(), batch.sequenceLength());
        NDArray ids = manager.create(batch.inputIds(), shape);
        NDArray mask = manager.create(batch.attentionMask(), shape);
        NDArray types = manager.create(batch.tokenTypeIds(), shape);
        List<String> names = modelInputNames;
        if (!feedByName) {
            return new NDList(ids, mask, types);
        }
        NDList inputs = new NDList(names.size());
        for (String name : names) {
            NDArray array = switch (name) {
                case INPUT_IDS -> ids;
                case ATTENTION_MASK -> mask;
                case TOKEN_TYPE_IDS -> types;
                default -> throw new IllegalStateException("model input '" + name + "' is not one of "
                        + List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS));
            };
            array.setName(name);
            inputs.add(array);
        }
        return inputs;
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
