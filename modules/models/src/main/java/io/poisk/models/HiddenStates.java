package io.poisk.models;

/** The model's last hidden state copied out of the engine: [batch, sequence, hidden] floats, row-major. */
public record HiddenStates(float[] values, int batchSize, int sequenceLength, int hiddenSize) {}
