package io.poisk.index;

import io.poisk.core.CollectionSchema;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an empty collection costs on disk. Every file counts with its full length (Chronicle Map files
 * are not sparse: their length is allocated). The many-collections case is a measurement as well as a
 * bound: {@code -Dpoisk.disk.collections=1000} sets how many.
 */
class EmptyCollectionDiskTest {
    private static final long TWO_MB = 2L << 20;

    @TempDir
    Path tmp;

    /** With the default options: the document map used to be sized for two full live segments (52 MB). */
    @Test
    void anEmptyCollectionTakesUnderTwoMegabytesAndStaysSoAcrossReopen() throws Exception {
        Path data = tmp.resolve("data");
        try (CollectionCatalog cat = CollectionCatalog.open(data, IndexOptions.defaults())) {
            cat.create(new CollectionSchema("empty", "test-model", 384, "cosine"));
        }
        try (CollectionCatalog cat = CollectionCatalog.open(data, IndexOptions.defaults())) {
            assertThat(cat.get("empty")).isPresent();
        }
        long bytes = bytesUnder(data.resolve("collections/empty"));
        System.out.printf("one empty collection: %d bytes%n", bytes);
        assertThat(bytes).isLessThan(TWO_MB);
    }

    @Test
    @Tag("slow")
    void manyEmptyCollectionsStayUnderTwoMegabytesEach() throws Exception {
        int n = Integer.getInteger("poisk.disk.collections", 50);
        Path data = tmp.resolve("data");
        long t0 = System.nanoTime();
        try (CollectionCatalog cat = CollectionCatalog.open(data, IndexOptions.defaults())) {
            for (int i = 0; i < n; i++) cat.create(new CollectionSchema("c" + i, "test-model", 384, "cosine"));
        }
        long bytes = bytesUnder(data);
        System.out.printf("%d empty collections: %d bytes (%.1f MB), %d bytes each, created in %d ms%n", n, bytes,
                bytes / 1048576.0, bytes / n, (System.nanoTime() - t0) / 1_000_000);
        assertThat(bytes / n).isLessThan(TWO_MB);
    }

    static long bytesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long total = 0;
            for (Path p : s.filter(Files::isRegularFile).toList()) total += Files.size(p);
            return total;
        }
    }
}
