package io.poisk.core;

import java.util.Objects;

/**
 * What a collection is, as stored in {@code collection.json}: the model card that embeds it, the
 * vector dimension that card produces, and the similarity function. Immutable once created.
 */
public record CollectionSchema(String name, String model, int dimension, String similarity) {
    public static final String COSINE = "cosine";

    public CollectionSchema {
        CollectionName.validate(name);
        Objects.requireNonNull(model, "model");
        if (dimension < 1) throw new IllegalArgumentException("dimension must be positive: " + dimension);
        similarity = similarity == null ? COSINE : similarity;
    }
}
