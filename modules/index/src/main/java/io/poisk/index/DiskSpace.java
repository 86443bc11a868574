package io.poisk.index;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The disk space a collection writes into. Writes are refused (507) while a file system holding the
 * collection has less than the configured reserve free, so the log, the document map and flushes rarely
 * meet a full disk; when one still does, {@link #fullDiskError} turns the failure into a 507 that says so.
 */
final class DiskSpace {
    private final String collection;
    private final long reserveBytes;
    private final Set<FileStore> stores = new LinkedHashSet<>();

    DiskSpace(String collection, long reserveBytes, Path... dirs) throws IOException {
        this.collection = collection;
        this.reserveBytes = reserveBytes;
        if (reserveBytes > 0) for (Path d : dirs) stores.add(Files.getFileStore(d));
    }

    /** Throws INSUFFICIENT_STORAGE when a file system of the collection is below the reserve. */
    void checkRoom() {
        for (FileStore s : stores) {
            long free;
            try {
                free = s.getUsableSpace();
            } catch (IOException e) {
                continue; // cannot tell: let the write try, a real ENOSPC is still a 507
            }
            if (free < reserveBytes) {
                throw new PoiskException(ErrorCode.INSUFFICIENT_STORAGE, "the disk of collection '" + collection + "' is full: "
                        + free + " bytes free on " + s + ", writes need index.min_free_disk_bytes=" + reserveBytes
                        + "; free space (or lower the reserve) and retry");
            }
        }
    }

    /** True when {@code t} (or a cause) is a write refused for lack of space: ENOSPC, EFBIG or EDQUOT. */
    static boolean isFull(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("File too large") || m.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }

    /** A 507 for a write that failed on a full disk, or null when {@code t} is not one. */
    static PoiskException fullDiskError(String collection, String what, Throwable t) {
        if (!isFull(t)) return null;
        return new PoiskException(ErrorCode.INSUFFICIENT_STORAGE, "the disk of collection '" + collection + "' is full (" + what
                + ": " + rootMessage(t) + "); writes resume once there is room", t);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) c = c.getCause();
        return c.getMessage();
    }
}
