package io.poisk.index;

import io.poisk.core.CollectionSchema;

import java.util.List;

/**
 * {@code snapshot.json}: what a snapshot holds and how to check it. {@code lsn}: the write-ahead-log position
 * it is consistent at (every record up to it, none after); {@code documents}: live documents at that point;
 * {@code files}: every other file of the snapshot with its length and CRC32C, so a damaged or incomplete copy
 * is refused before anything is installed. Written with its {@link FileFormat#SNAPSHOT format} version.
 */
public record SnapshotManifest(String id, CollectionSchema schema, long lsn, long documents, String created,
                               List<FileSum> files) {
    public static final String FILE = "snapshot.json";

    /** One file, by its path relative to the snapshot folder ({@code /}-separated). */
    public record FileSum(String path, long bytes, String crc32c) {
    }

    public SnapshotManifest {
        files = List.copyOf(files);
    }

    /** Bytes of all the snapshot's files (hard-linked ones share their blocks with the live collection). */
    public long bytes() {
        return files.stream().mapToLong(FileSum::bytes).sum();
    }

    public String collection() {
        return schema.name();
    }
}
