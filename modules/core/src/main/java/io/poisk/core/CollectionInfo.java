package io.poisk.core;

/** A collection's schema and its current statistics. */
public record CollectionInfo(CollectionSchema schema, long documents, int segments, long liveDocuments) {
    public String name() {
        return schema.name();
    }
}
