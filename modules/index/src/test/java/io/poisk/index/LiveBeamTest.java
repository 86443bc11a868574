package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Hit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.poisk.index.TestVectors.doc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live segment's beam beside PQ segments ({@link SegmentSearch#liveBeam}): half the beam asked for where a PQ
 * segment sits beside it, all of it otherwise; and live documents are still found beside a PQ segment.
 */
class LiveBeamTest {
    @TempDir
    Path tmp;

    @Test
    void halfTheBeamOnlyBesidePqSegments() throws Exception {
        Random r = new Random(21);
        float[][] base = FusedGraphSearchTest.embedded(r, 5, 2_800);
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("c"),
                new CollectionSchema("c", "test-model", FusedGraphSearchTest.DIM, "cosine"), FusedGraphSearchTest.OPTS);
             CollectionIndex small = CollectionIndex.create(tmp.resolve("small"),
                     new CollectionSchema("s", "test-model", FusedGraphSearchTest.DIM, "cosine"), FusedGraphSearchTest.OPTS)) {
            assertThat(SegmentSearch.liveBeam(List.of(), 100)).as("the live segment alone").isEqualTo(100);

            List<EmbeddedDocument> small600 = new ArrayList<>();
            for (int i = 0; i < 600; i++) small600.add(doc("s" + i, base[i]));
            small.upsert(small600);
            small.flush(); // 600 vectors: below the PQ minimum, a graph of full vectors
            assertThat(small.diskSegments().getFirst().hasFusedPq()).isFalse();
            assertThat(SegmentSearch.liveBeam(List.copyOf(small.diskSegments()), 100)).isEqualTo(100);

            List<EmbeddedDocument> docs = new ArrayList<>();
            for (int i = 0; i < 1_500; i++) docs.add(doc("d" + i, base[i]));
            c.upsert(docs);
            c.flush();
            assertThat(c.diskSegments().getFirst().hasFusedPq()).isTrue();
            assertThat(SegmentSearch.liveBeam(List.copyOf(c.diskSegments()), 100)).isEqualTo(50);
            assertThat(SegmentSearch.liveBeam(List.copyOf(c.diskSegments()), 1)).isEqualTo(1);

            // Live documents beside the PQ segment (more than an exact scan takes: walked) are found by their own vectors.
            List<EmbeddedDocument> live = new ArrayList<>();
            for (int i = 1_500; i < 2_800; i++) live.add(doc("d" + i, base[i]));
            c.upsert(live);
            assertThat(c.liveSegmentDocuments()).isEqualTo(1_300).isGreaterThan(Segment.EXACT_SCAN_MAX_DOCS);
            for (int i = 1_500; i < 2_800; i += 13) {
                assertThat(c.search(base[i], 10)).extracting(Hit::id).as("d%d", i).contains("d" + i);
            }
        }
    }
}
