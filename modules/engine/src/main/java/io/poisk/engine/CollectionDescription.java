package io.poisk.engine;

import io.poisk.core.CollectionInfo;
import io.poisk.index.CollectionOptions;
import io.poisk.index.UnavailableCollection;

/**
 * What {@code GET /collections/{name}} shows: the schema and statistics, and the index options (language, typed fields).
 * A collection that failed to open has only its {@code unavailable} reason (info and options are null).
 */
public record CollectionDescription(CollectionInfo info, CollectionOptions options, UnavailableCollection unavailable) {
    public CollectionDescription(CollectionInfo info, CollectionOptions options) {
        this(info, options, null);
    }

    public static CollectionDescription of(UnavailableCollection unavailable) {
        return new CollectionDescription(null, null, unavailable);
    }

    public String name() {
        return unavailable != null ? unavailable.name() : info.name();
    }
}
