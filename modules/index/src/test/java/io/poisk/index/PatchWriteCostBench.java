package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.DocumentPatch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What a patch costs in the index once inference is gone, next to an upsert of a ready vector: both are
 * logged upserts that the live segment indexes again (graph node, Lucene, document map).
 * <p>{@code mvn -o -pl modules/index test -Dtest=PatchWriteCostBench -Dsurefire.excludedGroups=none [-Dbench.docs=10000]}
 */
@Tag("bench")
class PatchWriteCostBench {
    @TempDir
    Path tmp;

    @Test
    void patchVersusUpsertOfReadyVectors() throws Exception {
        int dim = 384;
        int n = Integer.getInteger("bench.docs", 10000);
        int patched = Math.min(1000, n);
        Random r = new Random(1);
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("c"), new CollectionSchema("c", "x", dim, "cosine"),
                new CollectionOptions(CollectionOptions.Language.AUTO, Map.of("status", FieldType.KEYWORD)), IndexOptions.defaults())) {
            long t0 = System.nanoTime();
            for (int from = 0; from < n; from += 1000) {
                List<EmbeddedDocument> docs = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + 1000); i++) {
                    docs.add(new EmbeddedDocument(new Document("d" + i, "Report " + i + ": the harbour reopened",
                            Map.of("status", "draft")), TestVectors.unit(r, dim)));
                }
                c.upsert(docs);
            }
            double upsertS = (System.nanoTime() - t0) / 1e9;
            List<DocumentPatch> patches = new ArrayList<>();
            for (int i = 0; i < patched; i++) patches.add(new DocumentPatch("d" + i, Map.of("status", "published")));
            long t1 = System.nanoTime();
            c.patch(patches);
            double patchS = (System.nanoTime() - t1) / 1e9;
            String load = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
            System.out.printf("=== patch-write-cost ===%nupsert of %d ready %d-d vectors: %.1f s (%.0f docs/s)%n"
                            + "patch of %d of them: %.2f s (%.0f docs/s)%n(load %s)%n",
                    n, dim, upsertS, n / upsertS, patched, patchS, patched / patchS, load);
        }
    }
}
