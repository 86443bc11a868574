package io.poisk.engine;

import io.poisk.core.CollectionInfo;
import io.poisk.index.CollectionOptions;

/** What {@code GET /collections/{name}} shows: the schema and statistics, and the index options (language, typed fields). */
public record CollectionDescription(CollectionInfo info, CollectionOptions options) {
}
