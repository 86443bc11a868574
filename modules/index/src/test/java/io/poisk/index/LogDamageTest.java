package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

import static io.poisk.index.TestVectors.docs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A collection whose log is damaged opens read-only with the reason, serves what it has, and leaves the others alone. */
class LogDamageTest {
    static final IndexOptions OPTS = CollectionIndexTest.OPTS;

    @TempDir
    Path tmp;

    @Test
    void damageInTheMiddleOfTheLogMakesOnlyThatCollectionReadOnly() throws Exception {
        Random r = new Random(3);
        Path data = tmp.resolve("data");
        List<EmbeddedDocument> first = docs(r, CollectionIndexTest.DIM, "d", 0, 20);
        List<EmbeddedDocument> later = docs(r, CollectionIndexTest.DIM, "d", 20, 40);
        try (CollectionCatalog catalog = CollectionCatalog.open(data, OPTS)) {
            CollectionIndex bad = catalog.create(new CollectionSchema("bad", "test-model", CollectionIndexTest.DIM, "cosine"));
            CollectionIndex good = catalog.create(new CollectionSchema("good", "test-model", CollectionIndexTest.DIM, "cosine"));
            bad.upsert(first);
            bad.upsert(later);
            good.upsert(first);
        }
        Path log = WriteAheadLog.logFiles(data.resolve("collections/bad/wal")).getFirst();
        byte[] before = Files.readAllBytes(log);
        long at = before.length / 2; // inside one of the records of the second batch
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[16]), at);
        }
        byte[] damaged = Files.readAllBytes(log);

        try (CollectionCatalog catalog = CollectionCatalog.open(data, OPTS)) {
            CollectionIndex bad = catalog.get("bad").orElseThrow();
            assertThat(bad.readOnlyReason()).hasValueSatisfying(reason -> assertThat(reason)
                    .contains(log.toString()).contains("at offset").contains("intact record").contains("cannot be read"));
            for (EmbeddedDocument d : first) assertThat(bad.get(d.document().id())).as("served: before the damage").isPresent();
            assertThat(bad.documentCount()).isBetween(20L, 39L);
            assertThat(bad.search(first.get(3).vector(), 1).getFirst().id()).isEqualTo("d3");
            assertThatThrownBy(() -> bad.upsert(docs(r, CollectionIndexTest.DIM, "n", 0, 1)))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COLLECTION_READ_ONLY))
                    .hasMessageContaining("read-only").hasMessageContaining(log.getFileName().toString());
            assertThatThrownBy(() -> bad.delete("d1")).isInstanceOf(PoiskException.class).hasMessageContaining("read-only");
            assertThatThrownBy(bad::flush).isInstanceOf(PoiskException.class).hasMessageContaining("read-only");

            CollectionIndex good = catalog.get("good").orElseThrow();
            assertThat(good.readOnlyReason()).isEmpty();
            good.upsert(later);
            assertThat(good.documentCount()).isEqualTo(40);
        }
        assertThat(Files.readAllBytes(log)).as("the damaged log is left exactly as it was").isEqualTo(damaged);

        // Once the operator restores the file, everything acknowledged is back and writes resume.
        Files.write(log, before);
        try (CollectionIndex bad = CollectionIndex.open(data.resolve("collections/bad"), OPTS)) {
            assertThat(bad.readOnlyReason()).isEmpty();
            assertThat(bad.documentCount()).isEqualTo(40);
            bad.upsert(docs(r, CollectionIndexTest.DIM, "n", 0, 1));
        }
    }

    @Test
    void deletedLogFilesAreNoticedNotIgnored() throws Exception {
        Random r = new Random(4);
        Path dir = tmp.resolve("c");
        try (CollectionIndex c = CollectionIndex.create(dir, CollectionIndexTest.SCHEMA, OPTS)) {
            c.upsert(docs(r, CollectionIndexTest.DIM, "d", 0, 10));
            c.flush();
            c.upsert(docs(r, CollectionIndexTest.DIM, "d", 10, 20));
        }
        for (Path f : WriteAheadLog.logFiles(dir.resolve("wal"))) Files.delete(f);
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertThat(c.readOnlyReason()).hasValueSatisfying(reason -> assertThat(reason).contains("missing"));
            assertThat(c.documentCount()).isEqualTo(10);
            assertThatThrownBy(() -> c.upsert(docs(r, CollectionIndexTest.DIM, "n", 0, 1)))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COLLECTION_READ_ONLY));
        }
    }
}
