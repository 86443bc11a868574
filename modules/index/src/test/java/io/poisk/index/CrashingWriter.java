package io.poisk.index;

import io.poisk.core.CollectionSchema;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The child process of {@link ChildProcessCrashTest}: upserts documents in batches forever and prints
 * each id once its upsert returned (was acknowledged), until the parent kills it.
 */
final class CrashingWriter {
    static final int DIM = 16;
    static final IndexOptions OPTS = new IndexOptions(16, 64, 64, 2, 1_500, 10_000, 2, 1 << 20, 0);
    static final CollectionSchema SCHEMA = new CollectionSchema("crash", "test-model", DIM, "cosine");
    static final int BATCH = 25;

    /** Each document's vector follows from its number, so the parent can search for it. */
    static float[] vectorOf(int n) {
        return TestVectors.unit(new Random(n), DIM);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        CollectionIndex c = Files.exists(dir.resolve(CollectionFolder.SCHEMA_FILE))
                ? CollectionIndex.open(dir, OPTS) : CollectionIndex.create(dir, SCHEMA, OPTS);
        System.out.println("ready");
        System.out.flush();
        for (int n = 0; ; n += BATCH) {
            List<EmbeddedDocument> batch = new ArrayList<>();
            for (int i = n; i < n + BATCH; i++) batch.add(TestVectors.doc("c" + i, vectorOf(i)));
            c.upsert(batch);
            StringBuilder acked = new StringBuilder();
            for (int i = n; i < n + BATCH; i++) acked.append('c').append(i).append('\n');
            System.out.print(acked);
            System.out.flush();
        }
    }
}
