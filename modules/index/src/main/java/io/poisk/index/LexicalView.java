package io.poisk.index;

import java.util.List;

/** The lexical leaves of one segment as one search sees them; closing it releases the reader they come from. */
interface LexicalView extends AutoCloseable {
    List<OrdinalLeaf> leaves();

    /** Releases what the view holds; views of on-disk segments hold nothing. */
    @Override
    default void close() {
    }
}
