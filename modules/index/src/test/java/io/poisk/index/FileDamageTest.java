package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.ErrorCode;
import io.poisk.core.Hit;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.poisk.index.CollectionIndexTest.DIM;
import static io.poisk.index.CollectionIndexTest.OPTS;
import static io.poisk.index.TestVectors.docs;
import static io.poisk.index.TestVectors.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One damaged collection of two: the catalog still opens, the healthy one serves, the damaged one is
 * unavailable with an error naming the file, nothing on disk is deleted, and it can be dropped.
 */
class FileDamageTest {
    private static final int DOCS = 300;

    @TempDir
    Path tmp;

    /** A kind of damage, applied to a closed collection folder, and what its error must say. */
    enum Damage {
        GARBLED_MANIFEST("manifest.json", "not valid JSON") {
            void apply(Path c) throws IOException {
                Files.writeString(c.resolve("manifest.json"), "{\"generation\": 3, \"segm");
            }
        },
        GARBLED_IDS("ids.bin", "checksum") {
            void apply(Path c) throws IOException {
                garble(segment(c).resolve("ids.bin"), 0.5, 16);
            }
        },
        GARBLED_TOMBSTONES("tombstones-", "checksum") {
            void apply(Path c) throws IOException {
                garble(only(segment(c), "tombstones-"), 0.5, 4);
            }
        },
        GARBLED_LUCENE_FILE("lexical", "Lucene checksum") {
            void apply(Path c) throws IOException {
                garble(largestLuceneFile(c), 0.0, 64);
            }
        },
        GARBLED_CHRONICLE_HEADER(".cmap", "cannot be opened") {
            void apply(Path c) throws IOException {
                garble(only(c.resolve("documents"), "documents-"), 20.0 / Files.size(only(c.resolve("documents"), "documents-")), 200);
            }
        },
        TRUNCATED_CHRONICLE_FILE(".cmap", "cannot be opened") {
            void apply(Path c) throws IOException {
                truncate(only(c.resolve("documents"), "documents-"));
            }
        },
        TRUNCATED_CHRONICLE_FILE_AFTER_UNCLEAN_STOP(".cmap", "lacks") {
            void apply(Path c) throws IOException {
                // without the clean-shutdown marker the map is recovered, which re-extends a truncated file silently
                Files.delete(c.resolve("documents/clean-shutdown"));
                // cut inside the entries: the map's tail is free space, which a third of the file may not reach
                truncateWithinData(only(c.resolve("documents"), "documents-"));
            }
        },
        DELETED_CHRONICLE_FILE(".cmap", "lacks") {
            void apply(Path c) throws IOException {
                Files.delete(only(c.resolve("documents"), "documents-"));
            }
        },
        BIT_FLIP_IN_GRAPH("graph.jvector", "fails its checksum") {
            void apply(Path c) throws IOException {
                flipBit(segment(c).resolve("graph.jvector"));
            }
        },
        BIT_FLIP_IN_LUCENE_FILE("lexical", "Lucene checksum") {
            void apply(Path c) throws IOException {
                flipBit(largestLuceneFile(c));
            }
        },
        DELETED_CHECKSUM_FILE("checksums.json", "is missing") {
            void apply(Path c) throws IOException {
                Files.delete(segment(c).resolve(SegmentChecksums.FILE));
            }
        },
        DELETED_LEXICAL_INDEX("lexical", "is missing") {
            void apply(Path c) throws IOException {
                try (Stream<Path> files = Files.walk(segment(c).resolve("lexical"))) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
                }
            }
        },
        GARBLED_SCHEMA("collection.json", "not valid JSON") {
            void apply(Path c) throws IOException {
                garble(c.resolve("collection.json"), 0.5, 9);
            }
        },
        GARBLED_OPTIONS("options.json", "not valid JSON") {
            void apply(Path c) throws IOException {
                garble(c.resolve("options.json"), 0.5, 9);
            }
        },
        DELETED_SCHEMA("collection.json", "is missing") {
            void apply(Path c) throws IOException {
                Files.delete(c.resolve("collection.json"));
            }
        },
        NEWER_MANIFEST_FORMAT("manifest.json", "written by a newer Poisk: format 3, this build reads 1-2") {
            void apply(Path c) throws IOException {
                Path m = c.resolve("manifest.json");
                Files.writeString(m, Files.readString(m).replaceFirst("\"format\" : 2", "\"format\" : 3"));
            }
        },
        NEWER_IDS_FORMAT("ids.bin", "written by a newer Poisk: format 3, this build reads 1-2") {
            void apply(Path c) throws IOException {
                Path ids = segment(c).resolve("ids.bin");
                try (RandomAccessFile f = new RandomAccessFile(ids.toFile(), "rw")) {
                    f.seek(4);
                    f.writeInt(3);
                }
                SegmentChecksums.write(segment(c)); // a newer Poisk records the checksums of what it wrote
            }
        },
        NEWER_TOMBSTONES_FORMAT("tombstones-", "written by a newer Poisk: format 3, this build reads 1-2") {
            void apply(Path c) throws IOException {
                try (RandomAccessFile f = new RandomAccessFile(only(segment(c), "tombstones-").toFile(), "rw")) {
                    f.seek(4);
                    f.writeInt(3);
                }
            }
        };

        final String file;
        final String says;

        Damage(String file, String says) {
            this.file = file;
            this.says = says;
        }

        abstract void apply(Path collectionDir) throws IOException;
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void oneDamagedCollectionIsReportedWhileTheOtherServes(Damage damage) throws Exception {
        Path data = tmp.resolve("data");
        float[] probe = populate(data);
        Path bad = data.resolve("collections/bad");
        damage.apply(bad);
        List<Path> before = files(data);

        try (CollectionCatalog cat = CollectionCatalog.open(data, OPTS)) {
            CollectionIndex good = cat.get("good").orElseThrow();
            assertThat(good.documentCount()).as("300 + probe + 3 late - 1 deleted").isEqualTo(DOCS + 3);
            assertThat(good.search(probe, 1)).extracting(Hit::id).containsExactly("probe");
            assertThat(good.get("d7")).isPresent();

            assertThat(cat.list()).extracting(c -> c.schema().name()).containsExactly("good");
            assertThat(cat.unavailable()).singleElement().satisfies(u -> {
                assertThat(u.name()).isEqualTo("bad");
                assertThat(u.reason()).contains(damage.file).contains(damage.says);
            });
            assertThatThrownBy(() -> cat.get("bad")).isInstanceOfSatisfying(PoiskException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.COLLECTION_UNAVAILABLE);
                assertThat(e.getMessage()).contains(damage.file);
            });
            assertThatThrownBy(() -> cat.create(new CollectionSchema("bad", "test-model", DIM, "cosine")))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COLLECTION_UNAVAILABLE));
            // the document map's clean-shutdown marker is consumed by the open that follows the close which wrote it
            for (Path p : before) {
                if (!p.endsWith("documents/clean-shutdown")) assertThat(p).as("start-up must not delete what it did not create").exists();
            }

            assertThat(cat.drop("bad")).isTrue();
            assertThat(bad).doesNotExist();
        }
        try (CollectionCatalog cat = CollectionCatalog.open(data, OPTS)) {
            assertThat(cat.list()).extracting(c -> c.schema().name()).containsExactly("good");
            assertThat(cat.unavailable()).isEmpty();
        }
    }

    @Test
    void startUpRemovesOnlyInterruptedCreatesAndDrops() throws Exception {
        Path data = tmp.resolve("data");
        populate(data);
        Path collections = data.resolve("collections");
        Path interrupted = Files.createDirectories(collections.resolve("half-made/wal"));
        Files.createFile(collections.resolve("half-made/" + CollectionFolder.CREATING_MARKER));
        Path dropped = Files.createDirectories(collections.resolve(".dropped-old-123/segments"));
        Path stranger = Files.createDirectories(collections.resolve("no-schema/segments"));
        Files.writeString(stranger.resolve("precious.txt"), "keep me");
        Path notAName = Files.createDirectories(collections.resolve("Not A Name"));

        try (CollectionCatalog cat = CollectionCatalog.open(data, OPTS)) {
            assertThat(interrupted.getParent()).doesNotExist();
            assertThat(dropped.getParent()).doesNotExist();
            assertThat(stranger.resolve("precious.txt")).hasContent("keep me");
            assertThat(notAName).exists();
            assertThat(cat.unavailable()).extracting(UnavailableCollection::name).containsExactly("no-schema");
            assertThat(cat.list()).extracting(c -> c.schema().name()).containsExactly("bad", "good");
        }
    }

    /** Two collections with a flushed segment (with a tombstone) and a few documents only in the log. */
    private static float[] populate(Path data) throws IOException {
        Random r = new Random(11);
        float[] probe = unit(r, DIM);
        try (CollectionCatalog cat = CollectionCatalog.open(data, OPTS)) {
            for (String name : List.of("good", "bad")) {
                CollectionIndex c = cat.create(new CollectionSchema(name, "test-model", DIM, "cosine"));
                c.upsert(docs(r, DIM, "d", 0, DOCS));
                c.upsert(List.of(TestVectors.doc("probe", probe)));
                c.flush();
                assertThat(c.delete("d3")).isTrue();
                c.flush();
                c.upsert(docs(r, DIM, "late", 0, 3));
            }
        }
        return probe;
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    static Path segment(Path collectionDir) throws IOException {
        return only(collectionDir.resolve("segments"), "seg-");
    }

    static Path only(Path dir, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertThat(found).as("%s* in %s", prefix, dir).hasSize(1);
            return found.getFirst();
        }
    }

    static Path largestLuceneFile(Path collectionDir) throws IOException {
        try (Stream<Path> s = Files.list(segment(collectionDir).resolve("lexical"))) {
            return s.filter(p -> !p.getFileName().toString().equals("write.lock"))
                    .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
    }

    /** Overwrites {@code bytes} bytes at a fraction of the file's length with a pattern. */
    static void garble(Path file, double at, int bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long pos = Math.min((long) (f.length() * at), Math.max(0, f.length() - bytes));
            f.seek(pos);
            f.write("#garbage#".repeat(bytes / 9 + 1).substring(0, bytes).getBytes(StandardCharsets.US_ASCII));
        }
    }

    static void flipBit(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long pos = f.length() / 2;
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x10);
        }
    }

    /** Truncates {@code file} to half of the extent up to its last non-zero byte. */
    static void truncateWithinData(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int last = bytes.length - 1;
        while (last > 0 && bytes[last] == 0) last--;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(last / 2);
        }
    }

    static void truncate(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() / 3);
        }
    }
}
