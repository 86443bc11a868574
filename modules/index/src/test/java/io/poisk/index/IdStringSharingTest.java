package io.poisk.index;

import io.poisk.core.CollectionSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One id string per document on the heap: a flushed or merged segment points its ids at the instances the id maps
 * hold instead of keeping the copies it read from its ids file (at 300k vectors the two copies were about a third of
 * the heap per document).
 */
class IdStringSharingTest {
    private static final int DIM = 8;
    @TempDir
    Path tmp;

    @Test
    void flushedAndMergedSegmentsShareTheIdMapsStrings() throws Exception {
        Random r = new Random(5);
        Path dir = tmp.resolve("c");
        try (CollectionIndex c = CollectionIndex.create(dir, new CollectionSchema("ids", "test-model", DIM, "cosine"), GraphReachabilityTest.OPTS)) {
            c.upsert(TestVectors.docs(r, DIM, "a", 0, 1500));
            c.flush();
            assertThat(c.separateIdCopies()).as("after a flush").isZero();
            c.upsert(TestVectors.docs(r, DIM, "b", 0, 1500));
            c.flush();
            c.merge();
            assertThat(c.segmentCount()).isEqualTo(1);
            assertThat(c.separateIdCopies()).as("after a merge").isZero();
            assertThat(c.documentCount()).isEqualTo(3000);
        }
        try (CollectionIndex c = CollectionIndex.open(dir, GraphReachabilityTest.OPTS)) {
            assertThat(c.separateIdCopies()).as("after a reopen").isZero();
            assertThat(c.get("a7")).isPresent();
        }
    }
}
