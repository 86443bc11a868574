package io.poisk.index;

import io.poisk.core.Document;

import java.util.List;

/**
 * Documents in ascending id order from {@link CollectionIndex#documentsAfter}; {@code more} is true when
 * the collection held a live id after the last one when the range was read.
 */
public record DocumentRange(List<Document> documents, boolean more) {
    public DocumentRange {
        documents = List.copyOf(documents);
    }

    /** The id of the last document, from which the next range starts; null when the range is empty. */
    public String lastId() {
        return documents.isEmpty() ? null : documents.getLast().id();
    }
}
