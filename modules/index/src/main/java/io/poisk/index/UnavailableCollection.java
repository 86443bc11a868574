package io.poisk.index;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

/**
 * A collection whose folder exists but that could not be opened (a damaged or missing file, a format
 * from a newer Poisk). It stays on disk untouched, is listed with its reason, answers every operation
 * with COLLECTION_UNAVAILABLE (503), and can be dropped.
 *
 * @param name   the collection (its folder name)
 * @param reason what failed, naming the file
 */
public record UnavailableCollection(String name, String reason) {
    /** The error every operation on this collection answers with. */
    public PoiskException error() {
        return new PoiskException(ErrorCode.COLLECTION_UNAVAILABLE, "collection '" + name + "' is unavailable: " + reason
                + "; the others serve. Repair or restore its files and restart, or DELETE /collections/" + name + " to remove it");
    }
}
