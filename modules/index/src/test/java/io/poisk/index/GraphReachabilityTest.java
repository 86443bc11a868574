package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Hit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.poisk.index.TestVectors.doc;
import static io.poisk.index.TestVectors.unit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every live document stays reachable through the graphs while documents are replaced and deleted between insert
 * batches: searched with its own vector, it is its own first hit, in the live segment, after the flush and after a
 * reopen. (Graph tombstones during inserts once cut later batches off a tombstoned entry point.) The same after merges,
 * which keep the largest input's graph.
 */
class GraphReachabilityTest {
    static final int DIM = 16;
    /** Live segments big enough to be searched through their graph (over Segment.EXACT_SCAN_MAX_DOCS), no PQ. */
    static final IndexOptions OPTS = new IndexOptions(16, 64, 64, 2, 10_000, 1_000_000, 100, 1 << 20, 0).withMinFreeDiskBytes(0);

    @TempDir
    Path tmp;

    @Test
    void everyLiveDocumentFindsItselfWhileDocumentsAreReplacedAndDeletedBetweenBatches() throws Exception {
        Random r = new Random(42);
        Map<String, float[]> model = new LinkedHashMap<>();
        Path dir = tmp.resolve("c");
        try (CollectionIndex c = CollectionIndex.create(dir, new CollectionSchema("g", "test-model", DIM, "cosine"), OPTS)) {
            // A first batch deleted whole: the graph's entry point and every node above layer 0 are tombstoned.
            List<EmbeddedDocument> first = new ArrayList<>();
            for (int i = 0; i < 25; i++) first.add(doc("first" + i, unit(r, DIM)));
            c.upsert(first);
            for (EmbeddedDocument d : first) assertThat(c.delete(d.document().id())).isTrue();
            int next = 0;
            for (int batch = 0; batch < 60; batch++) {
                List<EmbeddedDocument> docs = new ArrayList<>();
                for (int i = 0; i < 25; i++, next++) {
                    float[] v = unit(r, DIM);
                    docs.add(doc("d" + next, v));
                    model.put("d" + next, v);
                }
                c.upsert(docs);
                // Between batches: one replacement (a new vector) and one delete of earlier documents.
                if (next > 50) {
                    String replaced = "d" + r.nextInt(next);
                    float[] v = unit(r, DIM);
                    c.upsert(List.of(doc(replaced, v)));
                    model.put(replaced, v);
                    String gone = "d" + r.nextInt(next);
                    c.delete(gone);
                    model.remove(gone);
                }
            }
            assertThat(c.segmentCount()).isZero();
            assertThat(c.liveSegmentDocuments()).isGreaterThan(Segment.EXACT_SCAN_MAX_DOCS);
            assertAllFindThemselves(c, model, "live segment");
            c.flush();
            assertThat(c.segmentCount()).isEqualTo(1);
            assertAllFindThemselves(c, model, "flushed segment");
        }
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertAllFindThemselves(c, model, "reopened");
        }
    }

    /**
     * A merge grows the largest input's graph (its deleted nodes removed and reconnected, the other inputs inserted)
     * instead of building one from nothing; every live document must still find itself, and a deleted one never.
     * Then a merge of one segment whose entry point and a third of its nodes are deleted (an expunge).
     */
    @Test
    void everyLiveDocumentFindsItselfAfterMergesThatKeepTheLargestGraph() throws Exception {
        Random r = new Random(7);
        Map<String, float[]> model = new LinkedHashMap<>();
        Path dir = tmp.resolve("m");
        int[] sizes = {1_500, 400, 250};
        try (CollectionIndex c = CollectionIndex.create(dir, new CollectionSchema("m", "test-model", DIM, "cosine"), OPTS)) {
            int next = 0;
            for (int size : sizes) {
                List<EmbeddedDocument> docs = new ArrayList<>();
                for (int i = 0; i < size; i++, next++) {
                    float[] v = unit(r, DIM);
                    docs.add(doc("d" + next, v));
                    model.put("d" + next, v);
                }
                c.upsert(docs);
                c.flush();
            }
            assertThat(c.segmentCount()).isEqualTo(3);
            for (int i = 0; i < sizes[0]; i += 5) deleteFromModel(c, model, "d" + i); // a fifth of the largest
            for (int i = sizes[0]; i < sizes[0] + 40; i++) deleteFromModel(c, model, "d" + i);

            c.merge();
            assertThat(c.segmentCount()).isEqualTo(1);
            // Only the two smaller inputs' live vectors were inserted: the largest one's graph was kept.
            assertThat(c.mergeInsertions()).isEqualTo(sizes[1] - 40 + sizes[2]);
            assertAllFindThemselves(c, model, "after a merge into the largest graph");

            // An expunge: the merged segment alone, with the first third of its documents (the largest input's)
            // deleted.
            for (String id : new ArrayList<>(model.keySet()).subList(0, model.size() / 3)) deleteFromModel(c, model, id);
            c.merge();
            assertThat(c.segmentCount()).isEqualTo(1);
            assertThat(c.mergeInsertions()).isEqualTo(sizes[1] - 40 + sizes[2]);
            assertAllFindThemselves(c, model, "after an expunge of a third");
        }
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertAllFindThemselves(c, model, "reopened");
        }
    }

    private static void deleteFromModel(CollectionIndex c, Map<String, float[]> model, String id) throws Exception {
        assertThat(c.delete(id)).isTrue();
        model.remove(id);
    }

    private static void assertAllFindThemselves(CollectionIndex c, Map<String, float[]> model, String where) {
        assertThat(c.documentCount()).isEqualTo(model.size());
        List<String> lost = new ArrayList<>();
        for (var e : model.entrySet()) {
            List<Hit> hits = c.search(e.getValue(), 1);
            if (hits.isEmpty() || !hits.getFirst().id().equals(e.getKey())) lost.add(e.getKey());
        }
        assertThat(lost.size()).as("%s: %d of %d documents not found by their own vector, e.g. %s", where, lost.size(),
                model.size(), lost.subList(0, Math.min(10, lost.size()))).isZero();
    }
}
