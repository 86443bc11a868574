package io.poisk.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code manifest.json}: the on-disk segments that make up a collection (each with the tombstone
 * file that holds its deletions) and the log position they cover: every record with
 * {@code lsn <= coveredLsn} is reflected in them; replay starts after it. Written atomically.
 */
record Manifest(long generation, long coveredLsn, long nextSegmentId, List<Entry> segments) {
    static final String FILE = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    record Entry(String name, int documents, String tombstones) {
    }

    Manifest {
        segments = List.copyOf(segments);
    }

    static Manifest empty() {
        return new Manifest(0, 0, 1, List.of());
    }

    static Manifest read(Path dir) throws IOException {
        return JSON.readValue(Files.readAllBytes(dir.resolve(FILE)), Manifest.class);
    }

    void write(Path dir) throws IOException {
        DurableFiles.writeAtomically(dir.resolve(FILE), JSON.writeValueAsBytes(this));
    }
}
