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
 * reopen. (Graph tombstones during inserts once cut later batches off a tombstoned entry point.)
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
