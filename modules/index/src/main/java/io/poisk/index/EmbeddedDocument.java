package io.poisk.index;

import io.poisk.core.Document;

import java.util.Objects;

/** A document with the vector its model produced (L2-normalised), ready to be indexed. */
public record EmbeddedDocument(Document document, float[] vector) {
    public EmbeddedDocument {
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(vector, "vector");
    }
}
