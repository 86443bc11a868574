package io.poisk.engine;

import io.poisk.core.Document;

import java.util.List;

/**
 * One page of an export: documents in ascending id order, from the named collection (an alias resolved),
 * and the cursor of the next page, null once the collection had no document after this page's last.
 * A page may hold fewer documents than asked for (it also stops at {@link #MAX_BYTES} of documents);
 * only a null cursor means the end.
 */
public record DocumentPage(String collection, List<Document> documents, String nextCursor) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    /** Stored bytes after which a page stops early, so a page of large documents stays small in memory. */
    public static final long MAX_BYTES = 8L << 20;

    public DocumentPage {
        documents = List.copyOf(documents);
    }
}
