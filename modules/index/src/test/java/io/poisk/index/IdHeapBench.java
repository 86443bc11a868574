package io.poisk.index;

import io.poisk.core.CollectionSchema;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heap per document after a flush: {@code bench.docs} documents (default 100,000) of 8 dimensions with 15-character
 * ids upserted into one live segment, one flush, heap used after full GCs against before the upserts. Run with
 * {@code mvn -o -q -pl modules/index -am test -Dtest=IdHeapBench -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}; it prints the figure. The ids stay in the segment's memory-mapped ids
 * file (see {@link LocationTable}, {@link SegmentIds}); {@code bench.export=true} walks one export first, which adds
 * the sorted heads (4 bytes per document).
 */
@Tag("bench")
class IdHeapBench {
    @TempDir
    Path tmp;

    @Test
    void heapPerDocumentAfterAFlush() throws Exception {
        int n = Integer.getInteger("bench.docs", 100_000);
        try (CollectionIndex c = emptyCollection(n)) {
            long before = usedAfterGc();
            upsertAndFlush(c, n);
            if (Boolean.getBoolean("bench.export")) {
                int exported = 0;
                String cursor = null;
                for (DocumentRange range; ; cursor = range.documents().getLast().id()) {
                    range = c.documentsAfter(cursor, 1_000, 1 << 20);
                    exported += range.documents().size();
                    if (!range.more()) break;
                }
                assertThat(exported).isEqualTo(n);
            }
            long after = usedAfterGc();
            assertThat(c.documentCount()).isEqualTo(n);
            System.out.printf("heap per document after a flush: %.1f B (%d documents, %d segment)%n",
                    (after - before) / (double) n, n, c.segmentCount());
        }
    }

    /** Nanoseconds per id lookup ({@code contains}, as a search runs per hit) on {@code bench.docs} flushed documents. */
    @Test
    void lookupTimeAfterAFlush() throws Exception {
        int n = Integer.getInteger("bench.docs", 100_000);
        Random r = new Random(6);
        try (CollectionIndex c = emptyCollection(n)) {
            upsertAndFlush(c, n);
            String[] probes = new String[1 << 16];
            for (int i = 0; i < probes.length; i++) probes[i] = "document-" + r.nextInt(n);
            int found = 0;
            for (int round = 0; round < 5; round++) {
                long t0 = System.nanoTime();
                for (String id : probes) if (c.contains(id)) found++;
                System.out.printf("lookup: %.0f ns per id (round %d, %d documents)%n",
                        (System.nanoTime() - t0) / (double) probes.length, round, n);
            }
            assertThat(found).isGreaterThan(0);
        }
    }

    /** A collection whose live segment takes all {@code n} documents, so that one flush writes one segment. */
    private CollectionIndex emptyCollection(int n) throws java.io.IOException {
        IndexOptions opts = new IndexOptions(16, 64, 64, 2, 2 * n, 1_000_000, 100, 1 << 20, 0).withMinFreeDiskBytes(0);
        return CollectionIndex.create(tmp.resolve("c"), new CollectionSchema("h", "test-model", 8, "cosine"), opts);
    }

    private static void upsertAndFlush(CollectionIndex c, int n) throws java.io.IOException {
        Random r = new Random(5);
        for (int from = 0; from < n; from += 25_000) c.upsert(TestVectors.docs(r, 8, "document-", from, Math.min(n, from + 25_000)));
        c.flush();
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
