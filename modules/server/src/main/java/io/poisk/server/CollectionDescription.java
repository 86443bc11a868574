package io.poisk.server;

import io.poisk.core.CollectionInfo;
import io.poisk.index.CollectionOptions;
import io.poisk.index.UnavailableCollection;

/**
 * What {@code GET /collections/{name}} shows: the schema and statistics, and the index options (language, typed fields).
 * A collection that failed to open has only its {@code unavailable} reason (info and options are null).
 */
record CollectionDescription(CollectionInfo info, CollectionOptions options, UnavailableCollection unavailable) {
    CollectionDescription(CollectionInfo info, CollectionOptions options) {
        this(info, options, null);
    }

    static CollectionDescription of(UnavailableCollection unavailable) {
        return new CollectionDescription(null, null, unavailable);
    }

    String name() {
        return unavailable != null ? unavailable.name() : info.name();
    }
}
