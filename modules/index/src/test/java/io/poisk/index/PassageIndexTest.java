package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.DocumentPatch;
import io.poisk.core.Hit;
import io.poisk.core.Passage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Documents of several passages: one graph node per passage, one hit per document scored by its best passage
 * with that passage's range, through the live segment, flush, merge, reopen, log replay, delete, re-upsert and patch.
 */
class PassageIndexTest {
    private static final int DIM = 16;
    private static final CollectionOptions OPTIONS = new CollectionOptions(CollectionOptions.Language.EN,
            Map.of("tag", FieldType.KEYWORD));
    private static final String LONG_TEXT = "alpha beta gamma delta epsilon zeta eta theta"; // 45 chars

    @TempDir
    Path tmp;

    private final Random r = new Random(11);
    private final float[] a = TestVectors.unit(r, DIM), b = TestVectors.unit(r, DIM), c = TestVectors.unit(r, DIM);

    private CollectionIndex create(Path dir) throws Exception {
        return CollectionIndex.create(dir, new CollectionSchema("p", "random", DIM, "cosine"), OPTIONS, IndexOptions.defaults());
    }

    private EmbeddedDocument longDoc(String tag) {
        return new EmbeddedDocument(new Document("long", LONG_TEXT, Map.of("tag", tag)), List.of(
                new PassageVector(a, 0, 17), new PassageVector(b, 12, 33), new PassageVector(c, 28, 45)));
    }

    private List<EmbeddedDocument> singles(int from, int to) {
        List<EmbeddedDocument> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new EmbeddedDocument(new Document("s" + i, "short text " + i, Map.of("tag", "short")), TestVectors.unit(r, DIM)));
        }
        return out;
    }

    /** Each passage vector finds the long document once, first, with that passage's range. */
    private void assertPassagesFound(CollectionIndex idx) {
        float[][] queries = {a, b, c};
        Passage[] expected = {new Passage(0, 17), new Passage(12, 33), new Passage(28, 45)};
        for (int i = 0; i < 3; i++) {
            List<Hit> hits = idx.search(queries[i], 5);
            assertThat(hits.getFirst().id()).isEqualTo("long");
            assertThat(hits.getFirst().score()).isCloseTo(1f, within(1e-4f));
            assertThat(hits.getFirst().passage()).isEqualTo(expected[i]);
            assertThat(hits.stream().filter(h -> h.id().equals("long")).count()).isEqualTo(1);
            // The candidates-then-documents path (the engine's) and a filtered search agree.
            var q = SearchQuery.dense(queries[i], 5, idx.parseFilter(Map.of("tag", "x")));
            List<Hit> loaded = idx.documents(idx.candidates(q));
            assertThat(loaded).extracting(Hit::id).containsExactly("long");
            assertThat(loaded.getFirst().passage()).isEqualTo(expected[i]);
        }
        assertThat(idx.stored("long").orElseThrow().passages()).extracting(PassageVector::start).containsExactly(0, 12, 28);
        // The lexical side sees the whole text once, with no passage.
        List<Hit> lexical = idx.search(SearchQuery.lexical("theta", 5, null)).hits();
        assertThat(lexical).extracting(Hit::id).containsExactly("long");
        assertThat(lexical.getFirst().passage()).isNull();
        // A single-vector document's passage is its whole text.
        Hit single = idx.search(idx.stored("s1").orElseThrow().vector(), 1).getFirst();
        assertThat(single.passage()).isEqualTo(new Passage(0, single.text().length()));
    }

    @Test
    void passagesSurviveFlushMergeReopenAndReplay() throws Exception {
        Path dir = tmp.resolve("p");
        CollectionIndex idx = create(dir);
        idx.upsert(singles(0, 20));
        idx.upsert(List.of(longDoc("x")));
        assertPassagesFound(idx);                        // live segment
        idx.flush();
        assertPassagesFound(idx);                        // on disk
        idx.upsert(singles(20, 40));
        idx.flush();
        idx.merge();
        assertThat(idx.segmentCount()).isEqualTo(1);
        assertPassagesFound(idx);                        // merged
        idx.close();
        idx = CollectionIndex.open(dir, IndexOptions.defaults());
        assertPassagesFound(idx);                        // reopened
        idx.upsert(List.of(longDoc("x")));               // now only in the log and the live segment
        Path crashed = tmp.resolve("crashed");
        TestVectors.snapshot(dir, crashed);              // as if killed here
        idx.close();
        try (CollectionIndex re = CollectionIndex.open(crashed, IndexOptions.defaults())) {
            assertPassagesFound(re);                     // replayed from the log
            assertThat(re.documentCount()).isEqualTo(41);
        }
    }

    @Test
    void deleteAndReupsertCoverEveryPassage() throws Exception {
        try (CollectionIndex idx = create(tmp.resolve("p"))) {
            idx.upsert(singles(0, 10));
            idx.upsert(List.of(longDoc("x")));
            idx.flush();
            assertThat(idx.delete("long")).isTrue();
            for (float[] q : new float[][]{a, b, c}) assertThat(idx.search(q, 20)).extracting(Hit::id).doesNotContain("long");
            // Re-upserted with two passages: the third passage's vector no longer finds it first.
            idx.upsert(List.of(new EmbeddedDocument(new Document("long", LONG_TEXT, Map.of("tag", "x")),
                    List.of(new PassageVector(a, 0, 30), new PassageVector(b, 25, 45)))));
            assertThat(idx.search(b, 3).getFirst().passage()).isEqualTo(new Passage(25, 45));
            Hit viaC = idx.search(c, 20).stream().filter(h -> h.id().equals("long")).findFirst().orElseThrow();
            assertThat(viaC.score()).isLessThan(0.99f);
            // Replaced again by one whole-text vector, then flushed: no old passage survives anywhere.
            idx.upsert(List.of(new EmbeddedDocument(new Document("long", LONG_TEXT, Map.of("tag", "x")), c)));
            idx.flush();
            idx.merge();
            Hit h = idx.search(a, 20).stream().filter(x -> x.id().equals("long")).findFirst().orElseThrow();
            assertThat(h.score()).isLessThan(0.99f);
            assertThat(idx.search(c, 1).getFirst().passage()).isEqualTo(new Passage(0, LONG_TEXT.length()));
            assertThat(idx.documentCount()).isEqualTo(11);
            assertThat(idx.stored("long").orElseThrow().passages()).hasSize(1);
        }
    }

    @Test
    void patchKeepsEveryPassageVector() throws Exception {
        try (CollectionIndex idx = create(tmp.resolve("p"))) {
            idx.upsert(singles(0, 10));
            idx.upsert(List.of(longDoc("x")));
            idx.flush();
            Map<String, Object> f = new HashMap<>();
            f.put("tag", "patched");
            assertThat(idx.patch(List.of(new DocumentPatch("long", f)))).containsExactly(true);
            List<PassageVector> kept = idx.stored("long").orElseThrow().passages();
            assertThat(kept).extracting(PassageVector::end).containsExactly(17, 33, 45);
            assertThat(kept.get(2).vector()).containsExactly(c, org.assertj.core.data.Offset.offset(1e-6f));
            Hit h = idx.search(c, 1).getFirst();
            assertThat(h.fields()).containsEntry("tag", "patched");
            assertThat(h.passage()).isEqualTo(new Passage(28, 45));
        }
    }

    /** Passages of one document crowd the ordinal list; the search widens until k documents survive the collapse. */
    @Test
    void kDocumentsSurviveTheCollapse() throws Exception {
        try (CollectionIndex idx = create(tmp.resolve("p"))) {
            float[] base = TestVectors.unit(r, DIM);
            List<EmbeddedDocument> docs = new ArrayList<>();
            for (int d = 0; d < 6; d++) {
                List<PassageVector> ps = new ArrayList<>();
                StringBuilder text = new StringBuilder();
                for (int p = 0; p < 60; p++) {
                    float[] v = base.clone();
                    float[] noise = TestVectors.unit(r, DIM);
                    for (int i = 0; i < DIM; i++) v[i] += 0.05f * noise[i];
                    ps.add(new PassageVector(v, 10 * p, 10 * p + 10));
                    text.append("word").append(String.format("%06d", p));
                }
                docs.add(new EmbeddedDocument(new Document("m" + d, text.toString(), Map.of("tag", "m")), ps));
            }
            idx.upsert(docs);
            idx.upsert(singles(0, 30));
            for (int round = 0; round < 2; round++) {
                List<Hit> hits = idx.search(base, 8);
                Set<String> ids = new HashSet<>();
                for (Hit h : hits) ids.add(h.id());
                assertThat(hits).hasSize(8);
                assertThat(ids).hasSize(8).contains("m0", "m1", "m2", "m3", "m4", "m5");
                idx.flush(); // the second round searches the on-disk segment
            }
        }
    }

    /** passages.bin carries its own checksum: a damaged one makes the collection refuse to open, naming the file. */
    @Test
    void aDamagedPassagesFileIsRefused() throws Exception {
        Path dir = tmp.resolve("p");
        try (CollectionIndex idx = create(dir)) {
            idx.upsert(singles(0, 5));
            idx.upsert(List.of(longDoc("x")));
            idx.flush();
        }
        Path file;
        try (var files = java.nio.file.Files.walk(dir)) {
            file = files.filter(f -> f.getFileName().toString().equals(SegmentFiles.PASSAGES)).findFirst().orElseThrow();
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        bytes[14] ^= 0x40; // inside the spans
        java.nio.file.Files.write(file, bytes);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CollectionIndex.open(dir, IndexOptions.defaults()).close())
                .hasStackTraceContaining("passages.bin fails its checksum");
    }
}
