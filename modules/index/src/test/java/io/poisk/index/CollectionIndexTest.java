package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.Hit;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.poisk.index.TestVectors.doc;
import static io.poisk.index.TestVectors.docs;
import static io.poisk.index.TestVectors.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CollectionIndexTest {
    static final int DIM = 16;
    static final IndexOptions OPTS = new IndexOptions(16, 64, 64, 2, 1000, 10_000, 4, 1 << 20, 0);
    static final CollectionSchema SCHEMA = new CollectionSchema("things", "test-model", DIM, "cosine");

    @TempDir
    Path tmp;

    @Test
    void upsertGetSearchReplaceAndDelete() throws Exception {
        Random r = new Random(1);
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("c"), SCHEMA, OPTS)) {
            float[] a = unit(r, DIM);
            c.upsert(List.of(doc("a", a), doc("b", unit(r, DIM))));
            assertThat(c.documentCount()).isEqualTo(2);
            assertThat(c.get("a")).hasValueSatisfying(d -> assertThat(d.text()).isEqualTo("text of a"));
            List<Hit> hits = c.search(a, 1);
            assertThat(hits).extracting(Hit::id).containsExactly("a");
            assertThat(hits.getFirst().score()).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));

            // Replace "a" with new text and a vector opposite to the old one.
            float[] opposite = a.clone();
            for (int i = 0; i < DIM; i++) opposite[i] = -opposite[i];
            c.upsert(List.of(new EmbeddedDocument(new Document("a", "second", Map.of()), opposite)));
            assertThat(c.documentCount()).isEqualTo(2);
            assertThat(c.get("a")).hasValueSatisfying(d -> assertThat(d.text()).isEqualTo("second"));
            Hit top = c.search(opposite, 2).getFirst();
            assertThat(top.id()).isEqualTo("a");
            assertThat(top.text()).isEqualTo("second");
            assertThat(c.search(a, 2)).extracting(Hit::id).containsExactly("b", "a"); // the old copy is gone

            assertThat(c.delete("a")).isTrue();
            assertThat(c.delete("a")).isFalse();
            assertThat(c.get("a")).isEmpty();
            assertThat(c.search(opposite, 5)).extracting(Hit::id).containsExactly("b");
            assertThat(c.documentCount()).isEqualTo(1);
        }
    }

    @Test
    void rejectsVectorsAndQueriesOfTheWrongDimension() throws Exception {
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("c"), SCHEMA, OPTS)) {
            assertThatThrownBy(() -> c.upsert(List.of(doc("x", new float[DIM + 1]))))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT))
                    .hasMessageContaining("17 dimensions").hasMessageContaining("16");
            assertThatThrownBy(() -> c.search(new float[3], 5)).isInstanceOf(IllegalArgumentException.class);
            assertThat(c.documentCount()).isZero();
        }
    }

    @Test
    void oneMegabyteDocumentRoundTripsThroughLogSegmentAndReopen() throws Exception {
        Random r = new Random(2);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < (1 << 20) - 200) sb.append((char) ('a' + r.nextInt(26)));
        String text = sb + "поиск"; // just under 1 MiB once stored as JSON
        Document big = new Document("big", text, Map.of("k", "v"));
        float[] v = unit(r, DIM);
        Path dir = tmp.resolve("c");
        try (CollectionIndex c = CollectionIndex.create(dir, SCHEMA, OPTS)) {
            c.upsert(List.of(new EmbeddedDocument(big, v)));
            assertThat(c.get("big")).contains(big);
        }
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertThat(c.get("big")).contains(big);
            c.flush();
            assertThat(c.search(v, 1).getFirst().text()).isEqualTo(text);
        }
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertThat(c.get("big")).contains(big);
            Document tooBig = new Document("huge", "x".repeat(1 << 20), Map.of());
            assertThatThrownBy(() -> c.upsert(List.of(new EmbeddedDocument(tooBig, v))))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE));
        }
    }

    @Test
    void flushesWhenFullMergesInTheBackgroundAndGrowsTheDocumentMap() throws Exception {
        Random r = new Random(3);
        IndexOptions small = new IndexOptions(16, 64, 64, 2, 500, 10_000, 2, 1 << 20, 0);
        Path dir = tmp.resolve("c");
        List<EmbeddedDocument> all = docs(r, DIM, "d", 0, 6_000);
        try (CollectionIndex c = CollectionIndex.create(dir, SCHEMA, small)) {
            for (int i = 0; i < all.size(); i += 250) c.upsert(all.subList(i, i + 250));
            assertThat(c.documentCount()).isEqualTo(6_000);
            for (int i = 0; i < 6_000; i += 7) assertThat(c.delete("d" + i)).isTrue();
            // Background merges keep the segment count bounded; wait for them to settle.
            long deadline = System.currentTimeMillis() + 60_000;
            while (c.segmentCount() > small.mergeMaxSegments() && System.currentTimeMillis() < deadline) Thread.sleep(50);
            assertThat(c.segmentCount()).isLessThanOrEqualTo(small.mergeMaxSegments());
            assertThat(c.liveSegmentDocuments()).isLessThan(500);
            assertThat(Files.list(dir.resolve("wal")).count()).isLessThanOrEqualTo(2);
        }
        try (CollectionIndex c = CollectionIndex.open(dir, small)) {
            assertThat(c.documentCount()).isEqualTo(6_000 - 858);
            for (int i = 0; i < 6_000; i += 13) {
                EmbeddedDocument d = all.get(i);
                if (i % 7 == 0) {
                    assertThat(c.get(d.document().id())).isEmpty();
                } else {
                    assertThat(c.get(d.document().id())).contains(d.document());
                    assertThat(c.search(d.vector(), 1).getFirst().id()).isEqualTo(d.document().id());
                }
            }
            c.merge();
            assertThat(c.segmentCount()).isEqualTo(1);
            assertThat(c.diskSegments().getFirst().liveCount()).isEqualTo(6_000 - 858 - (int) c.liveSegmentDocuments());
        }
    }

    @Test
    void uncleanStopLosesNoAcknowledgedWrite() throws Exception {
        Random r = new Random(4);
        Path dir = tmp.resolve("c");
        List<EmbeddedDocument> all = docs(r, DIM, "d", 0, 1_500);
        CollectionIndex c = CollectionIndex.create(dir, SCHEMA, OPTS);
        c.upsert(all.subList(0, 1_200));   // fills the live segment: one flush to disk
        c.upsert(all.subList(1_200, 1_500));
        c.delete("d5");      // on disk
        c.delete("d1300");   // in the log only
        c.upsert(List.of(doc("d6", all.get(7).vector())));   // replaces an on-disk document
        Path crashed = tmp.resolve("crashed");
        TestVectors.snapshot(dir, crashed);   // as if killed here: no close, no flush
        c.close();
        try (CollectionIndex re = CollectionIndex.open(crashed, OPTS)) {
            assertThat(re.documentCount()).isEqualTo(1_498);
            assertThat(re.get("d5")).isEmpty();
            assertThat(re.get("d1300")).isEmpty();
            assertThat(re.get("d1499")).contains(all.get(1_499).document());
            List<Hit> hits = re.search(all.get(7).vector(), 2);
            assertThat(hits).extracting(Hit::id).containsExactlyInAnyOrder("d6", "d7");
            assertThat(re.search(all.get(6).vector(), 1).getFirst().id()).isNotEqualTo("d6");
            re.upsert(List.of(doc("after", unit(r, DIM))));
            assertThat(re.get("after")).isPresent();
        }
    }

    @Test
    void fullLiveSegmentIsFlushedInTheBackgroundWithoutStallingTheWriter() throws Exception {
        int dim = 64;
        Random r = new Random(8);
        // PQ from 256 vectors on: the flush trains codebooks and writes a graph, seconds of work.
        IndexOptions opts = new IndexOptions(16, 64, 64, 2, 4_000, 256, 4, 1 << 20, 0);
        CollectionSchema schema = new CollectionSchema("bg", "test-model", dim, "cosine");
        Path dir = tmp.resolve("c");
        List<EmbeddedDocument> all = docs(r, dim, "d", 0, 4_500);
        try (CollectionIndex c = CollectionIndex.create(dir, schema, opts)) {
            for (int i = 0; i < 3_900; i += 300) c.upsert(all.subList(i, Math.min(3_900, i + 300)));
            long t0 = System.nanoTime();
            c.upsert(all.subList(3_900, 4_000));   // crosses the threshold: freeze, no flush here
            long crossingMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(c.flushPending()).isTrue();
            assertThat(c.segmentCount()).isZero();
            assertThat(c.liveSegmentDocuments()).isZero();

            // While the frozen segment is written: it is searched, replaced and deleted documents stay right.
            c.upsert(List.of(doc("d1", all.get(2).vector())));
            assertThat(c.delete("d3")).isTrue();
            c.upsert(all.subList(4_000, 4_500));
            assertThat(c.search(all.get(10).vector(), 1)).extracting(Hit::id).containsExactly("d10");
            assertThat(c.search(all.get(2).vector(), 2)).extracting(Hit::id).containsExactlyInAnyOrder("d1", "d2");
            assertThat(c.search(all.get(3).vector(), 1)).extracting(Hit::id).doesNotContain("d3");
            Path crashed = tmp.resolve("crashed");
            boolean snapshotDuringFlush = c.flushPending();
            TestVectors.snapshot(dir, crashed);   // killed with the flush half done

            long waitStart = System.nanoTime();
            long deadline = System.currentTimeMillis() + 60_000;
            while (c.flushPending() && System.currentTimeMillis() < deadline) Thread.sleep(10);
            long flushMs = crossingMs + (System.nanoTime() - waitStart) / 1_000_000;
            assertThat(c.flushPending()).isFalse();
            assertThat(c.segmentCount()).isEqualTo(1);
            assertThat(crossingMs).as("crossing upsert %d ms, background flush %d ms", crossingMs, flushMs)
                    .isLessThan(Math.max(200, flushMs / 3));
            org.slf4j.LoggerFactory.getLogger(CollectionIndexTest.class)
                    .info("threshold-crossing upsert: {} ms; background flush done after {} ms", crossingMs, flushMs);
            assertThat(snapshotDuringFlush).isTrue();
            assertThat(c.documentCount()).isEqualTo(4_499);
            assertThat(c.liveSegmentDocuments()).isEqualTo(501);
            assertThat(c.search(all.get(2).vector(), 2)).extracting(Hit::id).containsExactlyInAnyOrder("d1", "d2");
            assertThat(c.search(all.get(20).vector(), 1)).extracting(Hit::id).containsExactly("d20");
            assertThat(c.get("d3")).isEmpty();
            assertThat(Files.list(dir.resolve("wal")).count()).isEqualTo(1); // the flushed log is gone
        }
        for (Path d : List.of(dir, tmp.resolve("crashed"))) {
            try (CollectionIndex re = CollectionIndex.open(d, opts)) {
                assertThat(re.documentCount()).as(d.toString()).isEqualTo(4_499);
                assertThat(re.get("d3")).isEmpty();
                assertThat(re.get("d1")).hasValueSatisfying(x -> assertThat(x.id()).isEqualTo("d1"));
                for (int i = 0; i < 4_500; i += 97) {
                    if (i == 3) continue;
                    assertThat(re.search(all.get(i).vector(), 1).getFirst().id()).isEqualTo(i == 1 ? "d1" : "d" + i);
                }
                assertThat(re.search(all.get(2).vector(), 2)).extracting(Hit::id)
                        .as(() -> d + ": " + re.describe("d1") + " / " + re.describe("d2"))
                        .containsExactlyInAnyOrder("d1", "d2");
            }
        }
    }

    @Test
    void deleteReportsExistenceInLogOrderUnderConcurrentUpserts() throws Exception {
        Random r = new Random(9);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("c"), SCHEMA, OPTS)) {
            for (int round = 0; round < 200; round++) {
                String id = "x" + round;
                EmbeddedDocument d = doc(id, unit(r, DIM));
                Future<?> up = pool.submit(() -> {
                    c.upsert(List.of(d));
                    return null;
                });
                Future<Boolean> del = pool.submit(() -> c.delete(id));
                up.get();
                boolean existed = del.get();
                // The delete came after the upsert in log order exactly when it reports the document existed,
                // and then the document is gone; otherwise the upsert came last and it is present.
                assertThat(c.get(id).isPresent()).as("round %d, delete said %s", round, existed).isEqualTo(!existed);
                assertThat(c.delete(id)).isEqualTo(!existed);
                assertThat(c.delete(id)).isFalse();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void tornOrCorruptLogTailIsDroppedNeverHalfApplied() throws Exception {
        Random r = new Random(5);
        Path dir = tmp.resolve("c");
        List<EmbeddedDocument> all = docs(r, DIM, "d", 0, 10);
        try (CollectionIndex c = CollectionIndex.create(dir, SCHEMA, OPTS)) {
            c.upsert(all);
        }
        Path log = Files.list(dir.resolve("wal")).sorted().toList().getLast();
        long full = Files.size(log);

        // 1. Garbage appended at the tail.
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[]{0, 0, 0, 42, 1, 2, 3, 4, 5, 6, 7}));
        }
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertThat(c.documentCount()).isEqualTo(10);
        }
        assertThat(Files.size(log)).isEqualTo(full);

        // 2. Last record cut in the middle.
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            ch.truncate(full - 20);
        }
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertThat(c.documentCount()).isEqualTo(9);
            assertThat(c.get("d9")).isEmpty();
            assertThat(c.get("d8")).contains(all.get(8).document());
            c.upsert(List.of(all.get(9)));   // appends after the cut, at the right LSN
        }

        // 3. A flipped byte inside the last record: CRC mismatch.
        long size = Files.size(log);
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, size - 30);
            b.put(0, (byte) (b.get(0) ^ 0x5a));
            ch.write(b.flip(), size - 30);
        }
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertThat(c.documentCount()).isEqualTo(9);
            assertThat(c.get("d9")).isEmpty();
        }
    }

    @Test
    void concurrentWritersShareGroupCommitsAndAllLand() throws Exception {
        Random r = new Random(6);
        Path dir = tmp.resolve("c");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (CollectionIndex c = CollectionIndex.create(dir, SCHEMA, OPTS)) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                List<EmbeddedDocument> mine = docs(r, DIM, "t" + t + "-", 0, 200);
                fs.add(pool.submit(() -> {
                    for (EmbeddedDocument d : mine) c.upsert(List.of(d));
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            assertThat(c.documentCount()).isEqualTo(1_600);
            long logFiles = Files.list(dir.resolve("wal")).count();
            assertThat(logFiles).isGreaterThanOrEqualTo(1);
        } finally {
            pool.shutdown();
        }
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertThat(c.documentCount()).isEqualTo(1_600);
        }
    }

    @Test
    void catalogCreatesListsReopensAndDrops() throws Exception {
        Path data = tmp.resolve("data");
        Random r = new Random(7);
        try (CollectionCatalog cat = CollectionCatalog.open(data, OPTS)) {
            CollectionIndex c = cat.create(SCHEMA);
            assertThat(cat.create(SCHEMA)).isSameAs(c);
            assertThatThrownBy(() -> cat.create(new CollectionSchema("things", "other", DIM, "cosine")))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COLLECTION_EXISTS));
            c.upsert(docs(r, DIM, "d", 0, 5));
            cat.create(new CollectionSchema("other", "m", 8, null));
        }
        try (CollectionCatalog cat = CollectionCatalog.open(data, OPTS)) {
            assertThat(cat.list()).extracting(c -> c.schema().name()).containsExactly("other", "things");
            assertThat(cat.get("things").orElseThrow().documentCount()).isEqualTo(5);
            assertThat(cat.drop("things")).isTrue();
            assertThat(cat.drop("things")).isFalse();
            assertThat(cat.exists("things")).isFalse();
            assertThat(data.resolve("collections/things")).doesNotExist();
        }
        try (CollectionCatalog cat = CollectionCatalog.open(data, OPTS)) {
            assertThat(cat.list()).extracting(c -> c.schema().name()).containsExactly("other");
        }
    }
}
