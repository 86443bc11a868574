package io.poisk.index;

import io.poisk.core.CollectionSchema;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The child of {@link CrashCycleTest}: upserts batches of new documents and now and then deletes some it
 * wrote, forever, with flushes and merges going on in the background. Before each write it prints its
 * intent ({@code ?+first-number} or {@code ?-id}), after it returned each outcome ({@code +id}, {@code -id}),
 * so the parent knows what was acknowledged and what was in flight when it was killed.
 */
final class CrashCycleWriter {
    static final int DIM = 16;
    static final int BATCH = 20;
    static final IndexOptions OPTS = new IndexOptions(16, 64, 64, 2, 200, 10_000, 2, 1 << 20, 0);
    static final CollectionSchema SCHEMA = new CollectionSchema("cycles", "test-model", DIM, "cosine");

    static String textOf(String id) {
        return "text of " + id;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int next = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        CollectionIndex c = Files.exists(dir.resolve(CollectionFolder.SCHEMA_FILE))
                ? CollectionIndex.open(dir, OPTS) : CollectionIndex.create(dir, SCHEMA, OPTS);
        out.println("ready");
        out.flush();
        ArrayDeque<String> mine = new ArrayDeque<>();
        Random r = new Random(next);
        for (int batchNo = 1; ; batchNo++) {
            List<EmbeddedDocument> batch = new ArrayList<>();
            for (int i = next; i < next + BATCH; i++) {
                String id = "c" + i;
                batch.add(new EmbeddedDocument(new io.poisk.core.Document(id, textOf(id), java.util.Map.of()), CrashingWriter.vectorOf(i)));
            }
            out.println("?+" + next);
            out.flush();
            c.upsert(batch);
            StringBuilder acked = new StringBuilder();
            for (EmbeddedDocument d : batch) {
                acked.append('+').append(d.document().id()).append('\n');
                mine.add(d.document().id());
            }
            out.print(acked);
            out.flush();
            next += BATCH;
            if (batchNo % 5 == 0) {
                for (int k = 0; k < 3 && !mine.isEmpty(); k++) {
                    String id = r.nextBoolean() ? mine.pollFirst() : mine.pollLast();
                    out.println("?-" + id);
                    out.flush();
                    c.delete(id);
                    out.println("-" + id);
                    out.flush();
                }
            }
        }
    }
}
