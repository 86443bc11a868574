package io.poisk.models;

/** A scoring model's output copied out of the engine: [batch, width] floats, row-major. */
public record Logits(float[] values, int batchSize, int width) {
    public float get(int row, int column) {
        return values[row * width + column];
    }
}
