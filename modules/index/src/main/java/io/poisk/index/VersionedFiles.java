package io.poisk.index;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The versioned JSON layout and the atomic, durable write of {@link VersionedJson}, for the few data-directory files
 * kept by other modules (the API key file of the server): one on-disk convention for the whole data directory.
 */
public final class VersionedFiles {
    private VersionedFiles() {
    }

    /** Reads {@code file}, refusing a version outside {@code oldest..current}; the body comes back without {@code "format"}. */
    public static ObjectNode read(Path file, String kind, int oldest, int current) throws IOException {
        return VersionedJson.read(file, new FileFormat(kind, oldest, current)).body();
    }

    /** Writes {@code value} (a JSON object) with {@code "format": current}: temp file, fsync, rename, fsync of the folder. */
    public static void write(Path file, String kind, int current, Object value) throws IOException {
        VersionedJson.write(file, new FileFormat(kind, current, current), value);
    }
}
