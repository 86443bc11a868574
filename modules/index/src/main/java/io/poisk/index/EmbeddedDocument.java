package io.poisk.index;

import io.poisk.core.Document;

import java.util.List;
import java.util.Objects;

/**
 * A document with the vectors its model produced (L2-normalised), ready to be indexed: one per passage, in
 * text order. A document that fits the model's window has one passage; each passage gets its own graph node.
 */
public record EmbeddedDocument(Document document, List<PassageVector> passages) {
    public EmbeddedDocument {
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(passages, "passages");
        if (passages.isEmpty()) throw new IllegalArgumentException("document '" + document.id() + "' has no passage vectors");
        passages = List.copyOf(passages);
    }

    /** A document embedded as one vector for its whole text. */
    public EmbeddedDocument(Document document, float[] vector) {
        this(document, List.of(PassageVector.whole(Objects.requireNonNull(vector, "vector"))));
    }

    /** The first passage's vector (the only one for a document that fits the model's window). */
    public float[] vector() {
        return passages.getFirst().vector();
    }
}
