package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.poisk.index.CollectionIndexTest.DIM;
import static io.poisk.index.CollectionIndexTest.OPTS;
import static io.poisk.index.TestVectors.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** limits.max_collections and limits.max_disk_bytes. */
class StorageLimitsTest {
    @TempDir
    Path tmp;

    private static CollectionSchema schema(String name) {
        return new CollectionSchema(name, "test-model", DIM, "cosine");
    }

    @Test
    void configuredFromTheLimitsKeysWithTheirDefaults() {
        assertThat(StorageLimits.defaults()).isEqualTo(new StorageLimits(1000, 0));
        PoiskConfig cfg = PoiskConfig.load(null, Map.of("POISK_LIMITS_MAX_COLLECTIONS", "7", "POISK_LIMITS_MAX_DISK_BYTES", "123"), Map.of());
        assertThat(StorageLimits.from(cfg)).isEqualTo(new StorageLimits(7, 123));
    }

    @Test
    void theCollectionCapCountsUnavailableCollectionsAndFreesUpOnDrop() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data.resolve("collections/lost-schema/wal")); // unavailable: no schema, no create marker
        try (CollectionCatalog cat = CollectionCatalog.open(data, OPTS, new StorageLimits(2, 0))) {
            cat.create(schema("a"));
            assertThatThrownBy(() -> cat.create(schema("b"))).isInstanceOfSatisfying(PoiskException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_COLLECTIONS);
                assertThat(e.code().httpStatus()).isEqualTo(409);
                assertThat(e.getMessage()).contains("limits.max_collections is 2");
            });
            assertThat(data.resolve("collections/b")).doesNotExist();
            assertThat(cat.create(schema("a"))).as("an identical create is no new collection").isNotNull();
            assertThat(cat.drop("lost-schema")).isTrue();
            assertThat(cat.create(schema("b")).schema().name()).isEqualTo("b");
        }
        try (CollectionCatalog cat = CollectionCatalog.open(data, OPTS, new StorageLimits(0, 0))) {
            assertThat(cat.create(schema("c")).schema().name()).as("0: no cap").isEqualTo("c");
        }
    }

    @Test
    void theDiskCapRefusesCreatesAndWritesUntilSpaceIsFreed() throws Exception {
        Path data = tmp.resolve("data");
        long cap = 4L << 20;
        Random r = new Random(5);
        try (CollectionCatalog cat = CollectionCatalog.open(data, OPTS, new StorageLimits(1000, cap))) {
            CollectionIndex a = cat.create(schema("a"));
            String big = "x".repeat(900_000);
            // Fill past the cap; the check may already refuse one of these, depending on when usage was last measured.
            for (int i = 0; i < 6; i++) {
                try {
                    a.upsert(List.of(new EmbeddedDocument(new Document("big" + i, big, Map.of()), unit(r, DIM))));
                } catch (PoiskException e) {
                    assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_STORAGE);
                    break;
                }
            }
            assertThat(DiskBudget.bytesUnder(data.resolve("collections"))).isGreaterThan(cap);
            Thread.sleep(1_100); // usage is measured again at most once a second
            assertThatThrownBy(() -> a.upsert(List.of(new EmbeddedDocument(new Document("one-more", "t", Map.of()), unit(r, DIM)))))
                    .isInstanceOfSatisfying(PoiskException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_STORAGE);
                        assertThat(e.code().httpStatus()).isEqualTo(507);
                        assertThat(e.getMessage()).contains("limits.max_disk_bytes is " + cap);
                    });
            assertThat(a.get("one-more")).isEmpty();
            assertThatThrownBy(() -> cat.create(schema("b")))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_STORAGE));
            assertThat(cat.drop("a")).isTrue();
            assertThat(cat.create(schema("b")).schema().name()).isEqualTo("b");
        }
    }
}
