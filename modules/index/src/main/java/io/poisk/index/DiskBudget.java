package io.poisk.index;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * The {@code limits.max_disk_bytes} check before a create or a write. Usage is the length of every file
 * under the collections folder, measured again at most once a second (a walk per write would cost more
 * than the write), so a burst may pass the cap by what a second of writes adds.
 */
final class DiskBudget {
    static final DiskBudget NONE = new DiskBudget(null, 0);
    private static final long REMEASURE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Path dir;
    private final long maxBytes;
    private long measuredBytes;
    private long measuredAt;
    private boolean measured;

    DiskBudget(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
    }

    /** Throws INSUFFICIENT_STORAGE (507) when the data directory holds the configured cap or more. */
    void checkRoom(String action) {
        if (maxBytes <= 0) return;
        long used = used();
        if (used >= maxBytes) {
            throw new PoiskException(ErrorCode.INSUFFICIENT_STORAGE, action + " refused: the collections hold " + used
                    + " bytes on disk and limits.max_disk_bytes is " + maxBytes + "; delete documents or collections, or raise the limit");
        }
    }

    /** Forgets the last measurement (after a create or a drop changed the usage at once). */
    synchronized void remeasure() {
        measured = false;
    }

    synchronized long used() {
        long now = System.nanoTime();
        if (!measured || now - measuredAt > REMEASURE_NANOS) {
            measuredBytes = bytesUnder(dir);
            measuredAt = now;
            measured = true;
        }
        return measuredBytes;
    }

    /** Total length of the files under {@code dir}; files a merge deletes during the walk are skipped. */
    static long bytesUnder(Path dir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure the disk use of " + dir, e);
        }
        return total[0];
    }
}
