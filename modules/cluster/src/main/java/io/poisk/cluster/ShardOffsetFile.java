package io.poisk.cluster;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The last Kafka offset a node applied to its copy of a shard, beside the shard: {@code {"format":1,"offset":o}},
 * written atomically (temporary file, fsync, rename, fsync of the folder) only after the records up to it are durable
 * in the shard's own log. A crash between the two re-applies a few records on restart, which converges (upserts and
 * deletes by id, in log order).
 */
final class ShardOffsetFile {
    static final int FORMAT = 1;
    /** No copy: the shard is read from the beginning. */
    static final long NONE = -1;

    private final Path file;

    ShardOffsetFile(Path dir, String shardCollection) {
        this.file = dir.resolve(shardCollection + ".offset.json");
    }

    long read() {
        if (!Files.exists(file)) return NONE;
        try {
            JsonObject j = new JsonObject(Files.readString(file));
            int format = j.getInteger("format", 0);
            if (format != FORMAT) throw new IOException(file + " has format " + format + "; this build reads " + FORMAT);
            return j.getLong("offset");
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the shard offset " + file + ": " + e.getMessage(), e);
        }
    }

    void write(long offset) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            byte[] bytes = new JsonObject().put("format", FORMAT).put("offset", offset).encode().getBytes(StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shard offset " + file, e);
        }
    }

    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
