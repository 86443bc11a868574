package io.poisk.models;

import java.util.Locale;

/**
 * Turns one sequence's hidden states into one vector. Works on plain arrays (the ONNX Runtime engine
 * has no NDArray maths), the same code for every engine. The attention mask says which positions are
 * real tokens, so left- and right-padded batches pool alike.
 */
public enum Pooling implements CardValue {
    /** Masked mean over all real tokens (e5, USER-base). */
    MEAN,
    /** The first real token, [CLS] for BERT-style models (bge). */
    CLS,
    /** The last real token, EOS for decoder models (Qwen3-Embedding, Promptriever). */
    LAST_TOKEN,
    /**
     * Masked mean over the real tokens after the first prefix separator token (NV-Retriever: the
     * instruction prefix up to and including its ':' is left out of the mean). The caller passes the
     * mask from {@link #maskThroughSeparator}; the pooling itself is then MEAN's.
     */
    PREFIX_MEAN;

    /** The card's spelling: "mean", "cls", "last_token" or "prefix_mean". */
    @Override
    public String cardName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return cardName();
    }

    /**
     * Pools row {@code row} of a [batch, sequence, hidden] tensor laid out row-major in {@code hidden}.
     *
     * @param mask [batch, sequence] attention mask, 1 for real tokens
     * @param dimension how many leading hidden features to keep (Matryoshka truncation; = hidden for all)
     */
    public float[] pool(float[] hidden, long[] mask, int row, int sequence, int hiddenSize, int dimension) {
        int first = -1;
        int last = -1;
        int count = 0;
        for (int t = 0; t < sequence; t++) {
            if (mask[row * sequence + t] != 0) {
                if (first < 0) first = t;
                last = t;
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("row " + row + " has no real tokens to pool");
        }
        float[] out = new float[dimension];
        switch (this) {
            case CLS -> System.arraycopy(hidden, (row * sequence + first) * hiddenSize, out, 0, dimension);
            case LAST_TOKEN -> System.arraycopy(hidden, (row * sequence + last) * hiddenSize, out, 0, dimension);
            case MEAN, PREFIX_MEAN -> {
                // Sum in double: 512 tokens of float would lose the last digits the conformance test checks.
                double[] sum = new double[dimension];
                for (int t = first; t <= last; t++) {
                    if (mask[row * sequence + t] == 0) continue;
                    int base = (row * sequence + t) * hiddenSize;
                    for (int d = 0; d < dimension; d++) sum[d] += hidden[base + d];
                }
                for (int d = 0; d < dimension; d++) out[d] = (float) (sum[d] / count);
            }
        }
        return out;
    }

    /**
     * A copy of the attention mask with each row's tokens up to and including its first {@code separatorId}
     * zeroed. A row without the separator, or with nothing after it, keeps its whole mask, so it still has
     * tokens to pool (the Python reference does the same).
     */
    public static long[] maskThroughSeparator(long[] ids, long[] mask, int batch, int sequence, long separatorId) {
        long[] out = mask.clone();
        for (int r = 0; r < batch; r++) {
            int base = r * sequence;
            int separator = -1;
            for (int t = 0; t < sequence; t++) {
                if (mask[base + t] != 0 && ids[base + t] == separatorId) {
                    separator = t;
                    break;
                }
            }
            if (separator < 0) continue;
            boolean after = false;
            for (int t = separator + 1; t < sequence; t++) after |= mask[base + t] != 0;
            if (!after) continue;
            for (int t = 0; t <= separator; t++) out[base + t] = 0;
        }
        return out;
    }

    /** Scales the vector to unit length in place (a zero vector stays zero) and returns it. */
    public static float[] normalize(float[] vector) {
        double norm = 0;
        for (float v : vector) norm += (double) v * v;
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int i = 0; i < vector.length; i++) vector[i] = (float) (vector[i] / norm);
        }
        return vector;
    }
}
