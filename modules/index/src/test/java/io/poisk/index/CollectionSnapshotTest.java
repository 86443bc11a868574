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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.poisk.index.TestVectors.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CollectionSnapshotTest {
    static final int DIM = 16;
    /** Small live segments and merges of more than 2 segments, so flushes and merges run while the snapshot is taken;
     *  no segment over Segment.EXACT_SCAN_MAX_DOCS ordinals, so every search is an exact scan, comparable with brute force. */
    static final IndexOptions OPTS = new IndexOptions(16, 64, 512, 2, 150, 10_000, 2, 1 << 20, 0).withMinFreeDiskBytes(0);
    static final CollectionSchema SCHEMA = new CollectionSchema("source", "test-model", DIM, "cosine");

    @TempDir
    Path tmp;

    /** One acknowledged write of the writer thread: a batch of upserts, or a delete. */
    record Op(List<EmbeddedDocument> upserts, String delete) {
        void applyTo(Map<String, EmbeddedDocument> model) {
            if (delete != null) model.remove(delete);
            else for (EmbeddedDocument d : upserts) model.put(d.document().id(), d);
        }
    }

    static List<Op> ops(Random r, int batches) {
        List<Op> ops = new ArrayList<>();
        int next = 0;
        for (int b = 0; b < batches; b++) {
            List<EmbeddedDocument> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++, next++) batch.add(doc("d" + next, "first text of d" + next, unit(r, DIM)));
            if (b % 3 == 2) { // replacements of earlier documents: new text and vector
                for (int i = 0; i < 5; i++) {
                    String id = "d" + r.nextInt(next - 20);
                    batch.add(doc(id, "replaced in batch " + b, unit(r, DIM)));
                }
            }
            ops.add(new Op(batch, null));
            if (b % 4 == 3) ops.add(new Op(List.of(), "d" + r.nextInt(next)));
        }
        return ops;
    }

    static EmbeddedDocument doc(String id, String text, float[] v) {
        return new EmbeddedDocument(new Document(id, text, Map.of()), v);
    }

    @Test
    void aSnapshotTakenDuringIngestRestoresExactlyTheWritesAcknowledgedBeforeItsLsn() throws Exception {
        List<Op> ops = ops(new Random(7), 90);
        Path snap = tmp.resolve("snap");
        AtomicInteger started = new AtomicInteger(), acked = new AtomicInteger();
        SnapshotManifest m;
        int ackedBefore, startedAfter;
        try (CollectionCatalog catalog = CollectionCatalog.open(tmp.resolve("data"), OPTS)) {
            CollectionIndex source = catalog.create(SCHEMA);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            try {
                Future<?> writing = writer.submit(() -> {
                    for (Op op : ops) {
                        started.incrementAndGet();
                        if (op.delete() != null) source.delete(op.delete());
                        else source.upsert(op.upserts());
                        acked.incrementAndGet();
                    }
                    return null;
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (acked.get() < ops.size() / 2 && System.nanoTime() < deadline) Thread.sleep(2);
                ackedBefore = acked.get();
                m = source.snapshot(snap, "s1", "2026-01-01T00:00:00Z");
                startedAfter = started.get();
                writing.get(120, TimeUnit.SECONDS);
            } finally {
                writer.shutdownNow();
            }
            assertThat(ackedBefore).isLessThan(ops.size()); // the writer was still going when the snapshot was taken

            // The restored collection equals the model after some prefix of the acknowledged writes: every write
            // acknowledged before the snapshot began, none started after it returned, each batch whole or absent.
            CollectionIndex restored = catalog.restore("copy", snap);
            Map<String, EmbeddedDocument> model = new LinkedHashMap<>();
            for (int i = 0; i < ackedBefore; i++) ops.get(i).applyTo(model);
            int prefix = -1;
            for (int k = ackedBefore; k <= startedAfter; k++) {
                if (k > ackedBefore) ops.get(k - 1).applyTo(model);
                if (model.size() == m.documents() && sameDocuments(restored, model)) {
                    prefix = k;
                    break;
                }
            }
            assertThat(prefix).as("a prefix of the writes in [%d, %d]", ackedBefore, startedAfter).isGreaterThanOrEqualTo(0);
            System.out.printf("snapshot at LSN %d: writes acknowledged before %d, started after %d, restored prefix %d of %d%n",
                    m.lsn(), ackedBefore, startedAfter, prefix, ops.size());
            assertThat(restored.documentCount()).isEqualTo(model.size());
            assertThat(m.lsn()).isPositive();
            assertThat(m.collection()).isEqualTo("source");

            // Queries: the exact top 10 over the documents at that point (searches here are exhaustive).
            Random q = new Random(11);
            for (int i = 0; i < 20; i++) {
                float[] query = unit(q, DIM);
                List<String> expected = bruteForce(model, query, 10);
                int n = i;
                assertThat(restored.search(query, 10)).extracting(Hit::id)
                        .as(() -> "query " + n + ": " + expected.stream().map(restored::describe).toList())
                        .containsExactlyElementsOf(expected);
            }

            // Merges and flushes delete the source's old segment folders and log files: the snapshot's links keep them.
            source.flush();
            source.merge();
            CollectionIndex again = catalog.restore("copy2", snap);
            assertThat(sameDocuments(again, model)).isTrue();

            // Restoring onto an existing name is refused.
            assertThatThrownBy(() -> catalog.restore("copy", snap))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COLLECTION_EXISTS));
        }
        // A restored collection is an ordinary one: it opens again after a restart.
        try (CollectionCatalog catalog = CollectionCatalog.open(tmp.resolve("data"), OPTS)) {
            assertThat(catalog.get("copy")).hasValueSatisfying(c -> assertThat(c.documentCount()).isEqualTo(m.documents()));
        }
    }

    @Test
    void aCollectionWithoutAModelRestoresWithItsSimilarityAndScores() throws Exception {
        CollectionSchema own = new CollectionSchema("own", null, DIM, "dot");
        Random r = new Random(5);
        List<EmbeddedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            float[] v = unit(r, DIM);
            float length = 0.5f + 1.5f * r.nextFloat(); // lengths count under dot product
            for (int j = 0; j < DIM; j++) v[j] *= length;
            docs.add(doc("v" + i, "", v));
        }
        Path snap = tmp.resolve("snap-own");
        try (CollectionCatalog catalog = CollectionCatalog.open(tmp.resolve("data"), OPTS)) {
            CollectionIndex source = catalog.create(own);
            source.upsert(docs.subList(0, 300));
            source.flush();
            source.upsert(docs.subList(300, 400)); // the live segment's part travels as log records
            source.snapshot(snap, "s1", "2026-01-01T00:00:00Z");
            CollectionIndex restored = catalog.restore("own-copy", snap);
            assertThat(restored.schema().model()).isNull();
            assertThat(restored.schema().similarity()).isEqualTo("dot");
            assertThat(restored.documentCount()).isEqualTo(400);
            Random q = new Random(6);
            for (int i = 0; i < 10; i++) {
                float[] query = unit(q, DIM);
                assertThat(restored.search(query, 10)).extracting(Hit::id, Hit::score)
                        .containsExactlyElementsOf(source.search(query, 10).stream().map(h -> org.assertj.core.groups.Tuple.tuple(h.id(), h.score())).toList());
                float best = Float.NEGATIVE_INFINITY;
                String bestId = null;
                for (EmbeddedDocument d : docs) {
                    float dot = 0;
                    for (int j = 0; j < DIM; j++) dot += d.vector()[j] * query[j];
                    if (dot > best) {
                        best = dot;
                        bestId = d.document().id();
                    }
                }
                Hit top = restored.search(query, 1).getFirst();
                assertThat(top.id()).isEqualTo(bestId);
                assertThat((double) top.score()).isCloseTo(best, org.assertj.core.data.Offset.offset(1e-3)); // the inner product itself
            }
        }
    }

    @Test
    void aDamagedSnapshotIsRefusedAndLeavesNoCollection() throws Exception {
        Path snap = tmp.resolve("snap");
        try (CollectionCatalog catalog = CollectionCatalog.open(tmp.resolve("data"), OPTS)) {
            CollectionIndex source = catalog.create(SCHEMA);
            Random r = new Random(3);
            for (Op op : ops(r, 20)) if (op.delete() == null) source.upsert(op.upserts());
            source.snapshot(snap, "s1", "2026-01-01T00:00:00Z");

            // Copies (the snapshot's segment files are hard links to the source's: damaging them would damage it).
            String segmentFile = CollectionSnapshot.read(snap).files().stream().map(SnapshotManifest.FileSum::path)
                    .filter(p -> p.endsWith("graph.jvector")).findFirst().orElseThrow();
            for (String damaged : List.of(segmentFile, SnapshotDocuments.FILE, "wal")) {
                Path copy = tmp.resolve("damaged-" + damaged.replace('/', '_'));
                TestVectors.snapshot(snap, copy);
                if (damaged.equals("wal")) {
                    try (var logs = Files.list(copy.resolve("wal"))) {
                        Path log = logs.sorted().toList().getLast();
                        Files.write(log, new byte[]{1, 2, 3}, StandardOpenOption.APPEND);
                    }
                } else {
                    flipByte(copy.resolve(damaged));
                }
                assertThatThrownBy(() -> catalog.restore("copy", copy))
                        .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                        .hasMessageContaining("damaged");
                assertThat(catalog.exists("copy")).isFalse();
                assertThat(tmp.resolve("data/collections/copy")).doesNotExist();
            }
            assertThat(catalog.restore("copy", snap).documentCount()).isEqualTo(source.documentCount());
        }
    }

    private static void flipByte(Path file) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = ch.size() / 2;
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, at);
        }
    }

    private static boolean sameDocuments(CollectionIndex c, Map<String, EmbeddedDocument> model) {
        if (c.documentCount() != model.size()) return false;
        for (EmbeddedDocument d : model.values()) {
            var stored = c.get(d.document().id());
            if (stored.isEmpty() || !stored.get().text().equals(d.document().text())) return false;
        }
        return true;
    }

    private static List<String> bruteForce(Map<String, EmbeddedDocument> model, float[] q, int k) {
        return model.values().stream()
                .sorted(Comparator.comparingDouble((EmbeddedDocument d) -> -dot(d.vector(), q)))
                .limit(k).map(d -> d.document().id()).toList();
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
