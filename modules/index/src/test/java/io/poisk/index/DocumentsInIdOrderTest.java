package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.poisk.index.TestVectors.unit;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link CollectionIndex#documentsAfter}: the export's id order, under writes, flushes, merges and a restart. */
class DocumentsInIdOrderTest {
    static final int DIM = 8;
    /** Small live segments and a low merge threshold, so flushes and merges run while the walk goes on. */
    static final IndexOptions OPTS = new IndexOptions(8, 32, 32, 2, 150, 10_000, 2, 1 << 20, 0);
    static final CollectionSchema SCHEMA = new CollectionSchema("ordered", "test-model", DIM, "cosine");

    @TempDir
    Path tmp;

    @Test
    void everyDocumentPresentThroughoutIsReturnedOnceInIdOrderWhileWritesAndMergesRun() throws Exception {
        Random r = new Random(7);
        int existing = 1200;
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("c"), SCHEMA, OPTS)) {
            for (int from = 0; from < existing; from += 100) {
                List<EmbeddedDocument> batch = new ArrayList<>();
                for (int i = from; i < from + 100; i++) batch.add(doc("p" + i, "first " + i, unit(r, DIM)));
                c.upsert(batch);
            }
            ExecutorService writer = Executors.newSingleThreadExecutor();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger progress = new AtomicInteger();
            Future<Integer> writes = writer.submit(() -> {
                Random w = new Random(11);
                int rounds = 0;
                // Bounded in count and time: new ids (before, between and after the old ones), replacements of old
                // ids (which must still be returned once), deletes of new ids, and merges.
                while (!stop.get() && rounds < 400) {
                    List<EmbeddedDocument> batch = new ArrayList<>();
                    for (int i = 0; i < 10; i++) batch.add(doc((i % 3 == 0 ? "a" : i % 3 == 1 ? "p" : "z") + "new" + rounds + "-" + i,
                            "new", unit(w, DIM)));
                    batch.add(doc("p" + w.nextInt(existing), "replaced in round " + rounds, unit(w, DIM)));
                    c.upsert(batch);
                    c.delete("pnew" + rounds + "-1");
                    if (rounds % 20 == 19) c.merge();
                    rounds++;
                    progress.set(rounds);
                }
                return rounds;
            });
            List<String> seen = new ArrayList<>();
            String after = null;
            int pages = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pages < 10_000 && System.nanoTime() < deadline) {
                DocumentRange range = c.documentsAfter(after, 37, Long.MAX_VALUE);
                pages++;
                for (Document d : range.documents()) {
                    assertThat(c.get(d.id())).as("a returned document is what get returns (or was replaced since)").isPresent();
                    seen.add(d.id());
                }
                if (range.lastId() != null) after = range.lastId();
                if (!range.more()) break;
                // Two write rounds between pages, so that flushes (every ~14 rounds) and merges happen mid-walk.
                int target = progress.get() + 2;
                while (progress.get() < target && !writes.isDone() && System.nanoTime() < deadline) Thread.sleep(1);
            }
            stop.set(true);
            int rounds = writes.get(60, TimeUnit.SECONDS);
            writer.shutdown();

            assertThat(rounds).as("writes, flushes and merges ran during the walk").isGreaterThan(40);
            assertThat(seen).as("ascending, no id twice").isSortedAccordingTo(String::compareTo).doesNotHaveDuplicates();
            for (int i = 0; i < existing; i++) assertThat(seen).as("p%d", i).contains("p" + i);
            assertThat(c.documentCount()).as("the count kept without walking the sorted map")
                    .isEqualTo(existing + rounds * 9L);
        }
    }

    @Test
    void aRangeStopsAtItsByteBudgetAndTheOrderSurvivesARestart() throws Exception {
        Random r = new Random(3);
        Path dir = tmp.resolve("c");
        Map<String, String> texts = new HashMap<>();
        try (CollectionIndex c = CollectionIndex.create(dir, SCHEMA, OPTS)) {
            List<EmbeddedDocument> batch = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String id = "d" + (char) ('a' + i % 26) + i;
                texts.put(id, "text " + i);
                batch.add(doc(id, "text " + i, unit(r, DIM)));
            }
            c.upsert(batch);
            DocumentRange one = c.documentsAfter(null, 100, 1);
            assertThat(one.documents()).as("a tiny byte budget still returns one document").hasSize(1);
            assertThat(one.more()).isTrue();
        }
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            List<String> ids = new ArrayList<>();
            String after = null;
            for (int pages = 0; pages < 100; pages++) {
                DocumentRange range = c.documentsAfter(after, 64, Long.MAX_VALUE);
                range.documents().forEach(d -> {
                    assertThat(d.text()).isEqualTo(texts.get(d.id()));
                    ids.add(d.id());
                });
                after = range.lastId();
                if (!range.more()) break;
            }
            assertThat(ids).isSortedAccordingTo(String::compareTo).doesNotHaveDuplicates().hasSize(400);
            assertThat(c.documentsAfter(ids.get(199), 1000, Long.MAX_VALUE).documents()).extracting(Document::id)
                    .isEqualTo(ids.subList(200, 400));
        }
    }

    private static EmbeddedDocument doc(String id, String text, float[] v) {
        return new EmbeddedDocument(new Document(id, text, Map.of("len", text.length())), v);
    }
}
