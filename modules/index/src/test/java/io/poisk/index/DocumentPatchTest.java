package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.DocumentPatch;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Field patches keep text and vector, follow log order against deletes and upserts of the same id, survive a
 * crash (the log replays them as ordinary upserts), and delete by filter removes exactly what the filter selects.
 */
class DocumentPatchTest {
    private static final int DIM = 8;
    private static final CollectionOptions OPTIONS = new CollectionOptions(CollectionOptions.Language.EN,
            Map.of("tag", FieldType.KEYWORD, "year", FieldType.LONG));

    @TempDir
    Path tmp;

    private static EmbeddedDocument doc(int i, Random r) {
        Map<String, Object> f = new HashMap<>();
        f.put("tag", i % 2 == 0 ? "even" : "odd");
        f.put("year", 2000 + i);
        f.put("note", "n" + i);
        return new EmbeddedDocument(new Document("d" + i, "text number " + i, f), TestVectors.unit(r, DIM));
    }

    private CollectionIndex create(Path dir) throws Exception {
        return CollectionIndex.create(dir, new CollectionSchema("p", "random", DIM, "cosine"), OPTIONS, IndexOptions.defaults());
    }

    private static Map<String, Object> patchFields(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void patchMergesFieldsKeepsTextAndVectorOnLiveAndDiskSegments() throws Exception {
        Random r = new Random(3);
        try (CollectionIndex c = create(tmp.resolve("p"))) {
            List<EmbeddedDocument> first = new ArrayList<>();
            for (int i = 0; i < 10; i++) first.add(doc(i, r));
            c.upsert(first);
            c.flush(); // d0..d9 on disk
            c.upsert(List.of(doc(10, r))); // d10 live
            float[] before0 = c.stored("d0").orElseThrow().vector();
            float[] before10 = c.stored("d10").orElseThrow().vector();

            boolean[] found = c.patch(List.of(
                    new DocumentPatch("d0", patchFields("tag", "special", "note", null, "added", List.of(1, 2))),
                    new DocumentPatch("d10", patchFields("year", 1999)),
                    new DocumentPatch("nope", patchFields("tag", "x"))));
            assertThat(found).containsExactly(true, true, false);

            Document d0 = c.get("d0").orElseThrow();
            assertThat(d0.text()).isEqualTo("text number 0");
            assertThat(d0.fields()).containsEntry("tag", "special").containsEntry("year", 2000).containsEntry("added", List.of(1, 2))
                    .doesNotContainKey("note");
            assertThat(c.stored("d0").orElseThrow().vector()).containsExactly(before0, org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(c.get("d10").orElseThrow().fields()).containsEntry("year", 1999).containsEntry("tag", "even");
            assertThat(c.stored("d10").orElseThrow().vector()).containsExactly(before10, org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(c.get("nope")).isEmpty();
            assertThat(c.documentCount()).isEqualTo(11);

            // The filter index follows the patch: the old value no longer matches, the new one does.
            assertThat(c.deleteMatching(c.parseFilter(Map.of("tag", "special")), 1000)).isEqualTo(1);
            assertThat(c.get("d0")).isEmpty();

            // A dense search with d10's own vector still finds it first: the vector travelled with the patch.
            assertThat(c.search(before10, 1).getFirst().id()).isEqualTo("d10");
        }
    }

    @Test
    void aPatchOfADocumentInAFusedPqSegmentKeepsItsFullVector() throws Exception {
        Random r = new Random(8);
        IndexOptions pq = new IndexOptions(16, 64, 64, 2, 4_000, 256, 4, 1 << 20, 0);
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("pq"), new CollectionSchema("pq", "random", 16, "cosine"), OPTIONS, pq)) {
            List<EmbeddedDocument> docs = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                docs.add(new EmbeddedDocument(new Document("d" + i, "text " + i, Map.of("tag", "t")), TestVectors.unit(r, 16)));
            }
            c.upsert(docs);
            c.flush();
            assertThat(c.diskSegments()).hasSize(1);
            assertThat(c.diskSegments().getFirst().hasFusedPq()).as("PQ codes for traversal, full vectors kept").isTrue();
            assertThat(c.patch(List.of(new DocumentPatch("d5", patchFields("tag", "u"))))).containsExactly(true);
            // The full vector, not a PQ reconstruction, travelled into the log and the live segment.
            assertThat(c.stored("d5").orElseThrow().vector()).containsExactly(UnitVectors.normalized(docs.get(5).vector()),
                    org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(c.search(docs.get(5).vector(), 1).getFirst().id()).isEqualTo("d5");
        }
    }

    @Test
    void aFieldOfTheWrongDeclaredTypeRefusesTheWholeBatch() throws Exception {
        Random r = new Random(4);
        try (CollectionIndex c = create(tmp.resolve("p"))) {
            c.upsert(List.of(doc(1, r), doc(2, r)));
            assertThatThrownBy(() -> c.patch(List.of(new DocumentPatch("d1", patchFields("tag", "fine")),
                    new DocumentPatch("d2", patchFields("year", "not a number")))))
                    .isInstanceOf(PoiskException.class)
                    .satisfies(e -> assertThat(((PoiskException) e).code()).isEqualTo(ErrorCode.INVALID_DOCUMENT))
                    .hasMessageContaining("year");
            assertThat(c.get("d1").orElseThrow().fields()).containsEntry("tag", "odd");
        }
    }

    @Test
    void aPatchFollowsLogOrderAndNeverResurrectsADeletedDocument() throws Exception {
        Random r = new Random(5);
        try (CollectionIndex c = create(tmp.resolve("p"))) {
            c.upsert(List.of(doc(1, r)));
            assertThat(c.delete("d1")).isTrue();
            assertThat(c.patch(List.of(new DocumentPatch("d1", patchFields("tag", "x"))))).containsExactly(false);
            assertThat(c.get("d1")).isEmpty();

            // Racing: patches of d2 from one thread, a delete of d2 from another; once the delete is in the log
            // no later patch may bring d2 back, and every patch before it found the document.
            for (int round = 0; round < 20; round++) {
                c.upsert(List.of(doc(2, r)));
                int pause = round % 5;
                CountDownLatch go = new CountDownLatch(1);
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    Future<List<Boolean>> patcher = pool.submit(() -> {
                        go.await();
                        List<Boolean> outcomes = new ArrayList<>();
                        for (int i = 0; i < 30; i++) {
                            outcomes.add(c.patch(List.of(new DocumentPatch("d2", patchFields("year", i))))[0]);
                        }
                        return outcomes;
                    });
                    Future<Boolean> deleter = pool.submit(() -> {
                        go.await();
                        Thread.sleep(pause);
                        return c.delete("d2");
                    });
                    go.countDown();
                    List<Boolean> outcomes = patcher.get(60, TimeUnit.SECONDS);
                    assertThat(deleter.get(60, TimeUnit.SECONDS)).isTrue();
                    assertThat(c.get("d2")).as("round %d: %s", round, outcomes).isEmpty();
                    int firstMiss = outcomes.indexOf(false);
                    if (firstMiss >= 0) assertThat(outcomes.subList(firstMiss, outcomes.size())).doesNotContain(true);
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }

    @Test
    void patchesRacingUpsertsNeverPairATextWithAnotherTextsVector() throws Exception {
        Path dir = tmp.resolve("p");
        Random r = new Random(12);
        int versions = 150;
        float[][] vectors = new float[versions][];
        for (int v = 0; v < versions; v++) vectors[v] = UnitVectors.normalized(TestVectors.unit(r, DIM));
        try (CollectionIndex c = create(dir)) {
            c.upsert(List.of(new EmbeddedDocument(new Document("d1", "v0", Map.of()), vectors[0])));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch go = new CountDownLatch(1);
                Future<?> upserts = pool.submit(() -> {
                    go.await();
                    for (int v = 1; v < versions; v++) {
                        c.upsert(List.of(new EmbeddedDocument(new Document("d1", "v" + v, Map.of("by", "upsert")), vectors[v])));
                    }
                    return null;
                });
                Future<?> patches = pool.submit(() -> {
                    go.await();
                    for (int j = 0; j < versions; j++) c.patch(List.of(new DocumentPatch("d1", patchFields("patch", j))));
                    return null;
                });
                go.countDown();
                upserts.get(120, TimeUnit.SECONDS);
                patches.get(120, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertConsistent(c, vectors);
            assertThat(c.get("d1").orElseThrow().text()).as("the last upsert's text").isEqualTo("v" + (versions - 1));
        }
        try (CollectionIndex c = CollectionIndex.open(dir, IndexOptions.defaults())) {
            assertConsistent(c, vectors); // replay of the interleaved log gives the same pairing
            assertThat(c.get("d1").orElseThrow().text()).isEqualTo("v" + (versions - 1));
        }
    }

    private static void assertConsistent(CollectionIndex c, float[][] vectors) {
        EmbeddedDocument d = c.stored("d1").orElseThrow();
        int v = Integer.parseInt(d.document().text().substring(1));
        assertThat(d.vector()).containsExactly(vectors[v], org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void aPatchSurvivesACrashAndARestart() throws Exception {
        Path dir = tmp.resolve("p");
        Path crashed = tmp.resolve("crashed");
        Random r = new Random(6);
        float[] vector;
        try (CollectionIndex c = create(dir)) {
            List<EmbeddedDocument> docs = new ArrayList<>();
            for (int i = 0; i < 20; i++) docs.add(doc(i, r));
            c.upsert(docs);
            c.flush();
            vector = c.stored("d3").orElseThrow().vector();
            c.patch(List.of(new DocumentPatch("d3", patchFields("tag", "patched", "note", null))));
            TestVectors.snapshot(dir, crashed); // as if killed here: the patch is only in the log
        }
        for (Path p : List.of(dir, crashed)) {
            try (CollectionIndex c = CollectionIndex.open(p, IndexOptions.defaults())) {
                Document d3 = c.get("d3").orElseThrow();
                assertThat(d3.text()).isEqualTo("text number 3");
                assertThat(d3.fields()).containsEntry("tag", "patched").doesNotContainKey("note");
                assertThat(c.stored("d3").orElseThrow().vector()).containsExactly(vector, org.assertj.core.data.Offset.offset(1e-6f));
                assertThat(c.documentCount()).isEqualTo(20);
                assertThat(c.deleteMatching(c.parseFilter(Map.of("tag", "patched")), 1000)).as(p.toString()).isEqualTo(1);
            }
        }
    }

    @Test
    void deleteByFilterRemovesExactlyTheMatchesInChunksAcrossSegmentsDurably() throws Exception {
        Path dir = tmp.resolve("p");
        Random r = new Random(7);
        try (CollectionIndex c = create(dir)) {
            List<EmbeddedDocument> docs = new ArrayList<>();
            for (int i = 0; i < 120; i++) docs.add(doc(i, r));
            c.upsert(docs.subList(0, 80));
            c.flush();
            c.upsert(docs.subList(80, 120));
            // 7 per round: many rounds, over a disk segment and the live one
            assertThat(c.deleteMatching(c.parseFilter(Map.of("tag", "even")), 7)).isEqualTo(60);
            assertThat(c.deleteMatching(c.parseFilter(Map.of("tag", "even")), 7)).isZero();
            assertThat(c.deleteMatching(c.parseFilter(Map.of("range", Map.of("year", Map.of("gte", 2110)))), 1000)).isEqualTo(5);
            assertThat(c.documentCount()).isEqualTo(55);
        }
        try (CollectionIndex c = CollectionIndex.open(dir, IndexOptions.defaults())) {
            assertThat(c.documentCount()).isEqualTo(55);
            for (int i = 0; i < 120; i++) {
                boolean kept = i % 2 == 1 && i < 110;
                assertThat(c.get("d" + i).isPresent()).as("d%d", i).isEqualTo(kept);
            }
        }
    }
}
