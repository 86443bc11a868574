package io.poisk.engine;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.index.CollectionIndex;
import io.poisk.index.DocumentRange;

import java.util.concurrent.CompletableFuture;

/**
 * Export: a collection's documents page by page in ascending id order, with a cursor that holds the
 * last id (see {@link CollectionIndex#documentsAfter}). The first page resolves the name (an alias
 * included) once; the cursor names the collection, so the rest of that export reads the same
 * collection even when the alias is re-pointed meanwhile. Runs on the disk executor.
 */
final class DocumentExport {
    private final CollectionService collections;
    private final BoundedExecutor disk;

    DocumentExport(CollectionService collections, BoundedExecutor disk) {
        this.collections = collections;
        this.disk = disk;
    }

    CompletableFuture<DocumentPage> page(String name, String cursor, int limit) {
        ExportCursor position;
        try {
            if (limit < 1 || limit > DocumentPage.MAX_LIMIT) {
                throw PoiskException.badRequest("'limit' must be 1-" + DocumentPage.MAX_LIMIT + ", got " + limit);
            }
            position = cursor == null ? null : ExportCursor.decode(cursor);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return disk.submit(() -> {
            CollectionIndex index = position == null ? collections.get(name) : collectionOf(name, position);
            return collections.guarded(index, c -> {
                DocumentRange range = c.documentsAfter(position == null ? null : position.lastId(), limit, DocumentPage.MAX_BYTES);
                String collection = c.schema().name();
                String last = range.lastId() != null ? range.lastId() : position == null ? null : position.lastId();
                String next = range.more() ? new ExportCursor(collection, last).encode() : null;
                return new DocumentPage(collection, range.documents(), next);
            });
        });
    }

    /** The cursor's collection, when it is the one named or the name is an alias (whose target may have changed since). */
    private CollectionIndex collectionOf(String name, ExportCursor position) {
        if (!name.equals(position.collection()) && !collections.isAlias(name)) {
            throw PoiskException.badRequest("the cursor belongs to an export of collection '" + position.collection()
                    + "', not of '" + name + "'; start without a cursor to export '" + name + "'");
        }
        try {
            return collections.get(position.collection());
        } catch (PoiskException e) {
            if (e.code() != ErrorCode.COLLECTION_NOT_FOUND) throw e;
            throw new PoiskException(ErrorCode.COLLECTION_NOT_FOUND, "collection '" + position.collection()
                    + "', which this export reads, was deleted; start a new export without a cursor", e);
        }
    }
}
