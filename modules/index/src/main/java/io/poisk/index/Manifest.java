package io.poisk.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code manifest.json}: the on-disk segments that make up a collection (each with the tombstone
 * file that holds its deletions) and the log position they cover: every record with
 * {@code lsn <= coveredLsn} is reflected in them; replay starts after it. Written atomically, with
 * its {@link FileFormat#MANIFEST format} version.
 */
record Manifest(long generation, long coveredLsn, long nextSegmentId, List<Entry> segments) {
    static final String FILE = "manifest.json";

    /**
     * One on-disk segment. {@code checksummed}: its folder has a {@code checksums.json} that must be
     * there (null in format 1, whose segments predate checksums), so a deleted one cannot turn checks off.
     */
    record Entry(String name, int documents, String tombstones, Boolean checksummed) {
        boolean requiresChecksums() {
            return Boolean.TRUE.equals(checksummed);
        }
    }

    Manifest {
        segments = List.copyOf(segments);
    }

    static Manifest empty() {
        return new Manifest(0, 0, 1, List.of());
    }

    static Manifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        return VersionedJson.read(file, FileFormat.MANIFEST).as(Manifest.class, file);
    }

    void write(Path dir) throws IOException {
        VersionedJson.write(dir.resolve(FILE), FileFormat.MANIFEST, this);
    }
}
