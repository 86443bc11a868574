package io.poisk.core;

/**
 * What a collection is, as stored in {@code collection.json}: the model card that embeds it (null for a
 * collection whose documents and queries bring their own vectors), the vector dimension, and the similarity
 * function ({@link Similarity}: always cosine with a model). Immutable once created.
 */
public record CollectionSchema(String name, String model, int dimension, String similarity) {
    public static final String COSINE = "cosine";

    public CollectionSchema {
        CollectionName.validate(name);
        if (dimension < 1) throw new IllegalArgumentException("dimension must be positive: " + dimension);
        similarity = similarity == null ? COSINE : Similarity.parse(similarity).wireName();
        if (model != null && !COSINE.equals(similarity)) {
            throw new IllegalArgumentException("a collection with a model compares by cosine, not " + similarity);
        }
    }

    /** Whether a model embeds this collection's texts; without one, documents and dense queries carry a vector. */
    public boolean hasModel() {
        return model != null;
    }

    /** The similarity as its enum. */
    public Similarity similarityFunction() {
        return Similarity.parse(similarity);
    }
}
