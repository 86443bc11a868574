package io.poisk.index;

/**
 * Where a document's vectors live now: ordinals {@code ordinal} .. {@code ordinal + count() - 1} of a segment, one
 * per passage, the first one being the document's head. {@link LocationTable} keeps one per live document.
 */
record Location(Segment segment, int ordinal) {
    /** How many ordinals (passages) the document has in its segment. */
    int count() {
        return segment.passageCount(ordinal);
    }

    boolean covers(Segment s, int o) {
        return segment == s && o >= ordinal && o < ordinal + count();
    }

    /** Tombstones every passage of the document in its segment. */
    void markDeleted() {
        int count = count();
        for (int i = 0; i < count; i++) segment.markDeleted(ordinal + i);
    }
}
