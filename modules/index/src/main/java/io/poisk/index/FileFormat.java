package io.poisk.index;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The format version of one kind of file: which versions this build reads, which it writes, and the
 * refusal of a file a newer Poisk wrote (reading it as an older layout would give wrong answers).
 * Version 1 is the layout that carried no version; files written now say their version.
 */
record FileFormat(String kind, int oldest, int current) {
    static final FileFormat MANIFEST = new FileFormat("manifest", 1, 2);
    static final FileFormat SCHEMA = new FileFormat("collection schema", 1, 3);
    static final FileFormat OPTIONS = new FileFormat("collection options", 1, 3);
    static final FileFormat IDS = new FileFormat("segment ids", 1, 2);
    static final FileFormat TOMBSTONES = new FileFormat("segment tombstones", 1, 2);
    static final FileFormat PASSAGES = new FileFormat("segment passages", 1, 1);
    static final FileFormat CHECKSUMS = new FileFormat("segment checksums", 1, 1);
    static final FileFormat ALIASES = new FileFormat("aliases", 1, 1);
    static final FileFormat SNAPSHOT = new FileFormat("snapshot", 1, 1);
    static final FileFormat SNAPSHOT_DOCUMENTS = new FileFormat("snapshot documents", 1, 1);

    /** Returns {@code found} when this build reads it; otherwise an error naming the file and both versions. */
    int check(Path file, int found) throws IOException {
        if (found > current) {
            throw new IOException(file + " was written by a newer Poisk: format " + found + ", this build reads "
                    + readable() + " of " + kind + " files; upgrade Poisk to open this collection");
        }
        if (found < oldest) throw new IOException(file + " says " + kind + " format " + found + ", which no Poisk writes: it is damaged");
        return found;
    }

    private String readable() {
        return oldest == current ? String.valueOf(current) : oldest + "-" + current;
    }
}
