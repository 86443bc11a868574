package io.poisk.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Proves the data directory writable by creating and deleting a file in it (permissions alone miss a read-only mount). */
final class DataDirProbe {
    private DataDirProbe() {
    }

    /** Null when a file could be written in {@code dataDir}, else why not. Runs on the disk executor. */
    static String problem(Path dataDir) {
        Path probe = null;
        try {
            probe = Files.createTempFile(dataDir, ".ready-probe-", ".tmp");
            Files.write(probe, new byte[]{1});
            return null;
        } catch (IOException | SecurityException e) {
            return "data directory " + dataDir.toAbsolutePath() + " is not writable: " + e;
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // the probe was written, which is what readiness asks; a leftover temp file is harmless
                }
            }
        }
    }
}
