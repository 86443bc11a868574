package io.poisk.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Turns a {@link TokenBatch} into the model's input arrays, in the order (and with the names) it takes them. */
final class ModelInputs {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";

    private ModelInputs() {}

    static NDList of(NDManager manager, TokenBatch batch, List<String> names) {
        Shape shape = new Shape(batch.batchSize(), batch.sequenceLength());
        NDList inputs = new NDList(names.size());
        for (String name : names) {
            long[] values = switch (name) {
                case INPUT_IDS -> batch.inputIds();
                case ATTENTION_MASK -> batch.attentionMask();
                case TOKEN_TYPE_IDS -> batch.tokenTypeIds();
                default -> throw new IllegalStateException("model input '" + name + "' is not one of "
                        + List.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS));
            };
            NDArray array = manager.create(values, shape);
            array.setName(name);
            inputs.add(array);
        }
        return inputs;
    }
}
