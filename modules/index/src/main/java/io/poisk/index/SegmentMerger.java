package io.poisk.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Carries out one merge of a collection: the live documents of the chosen on-disk segments are written
 * (graph rebuilt, tombstoned documents dropped) into one new segment, which replaces them under the write
 * path's apply lock; the manifest then names it, and only after that are the old folders deleted.
 * {@link MergePolicy} decides what to merge, {@link SegmentMaintenance} when; callers hold its merge lock.
 */
final class SegmentMerger {
    private static final Logger log = LoggerFactory.getLogger(SegmentMerger.class);

    private final String collection;
    private final int dimension;
    private final VectorSpace space;
    private final Path segmentsDir;
    private final IndexOptions opts;
    private final SegmentSet segments;
    private final WritePath writePath;
    private final ManifestStore manifests;
    private final Supplier<SegmentWriter.LexicalSource> lexicalSource;

    SegmentMerger(String collection, int dimension, VectorSpace space, Path segmentsDir, IndexOptions opts, SegmentSet segments,
                  WritePath writePath, ManifestStore manifests, Supplier<SegmentWriter.LexicalSource> lexicalSource) {
        this.collection = collection;
        this.dimension = dimension;
        this.space = space;
        this.segmentsDir = segmentsDir;
        this.opts = opts;
        this.segments = segments;
        this.writePath = writePath;
        this.manifests = manifests;
        this.lexicalSource = lexicalSource;
    }

    private final java.util.concurrent.atomic.AtomicLong merges = new java.util.concurrent.atomic.AtomicLong();

    /** Writes the live documents of {@code chosen} into one new segment and swaps it in for them. */
    void merge(List<DiskSegment> chosen) throws IOException {
        long t0 = System.nanoTime();
        chosen = List.copyOf(chosen);
        List<VectorFloat<?>> vectors = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<int[]> spans = new ArrayList<>(); // null entries: whole-text single vectors
        List<DiskSegment> sourceSegment = new ArrayList<>();
        List<Integer> sourceOrdinal = new ArrayList<>();
        for (DiskSegment s : chosen) {
            try (var view = s.openView()) {
                for (int o = 0; o < s.size(); o++) {
                    if (s.isDeleted(o)) continue;
                    vectors.add(LiveSegment.VTS.createFloatVector(space.prepare(s.vector(view, o))));
                    ids.add(s.idAt(o));
                    boolean whole = s.passageIndex(o) == 0 && s.passageStart(o) == 0 && s.passageEnd(o) == PassageVector.WHOLE_END;
                    spans.add(whole ? null : new int[]{s.passageIndex(o), s.passageStart(o), s.passageEnd(o)});
                    sourceSegment.add(s);
                    sourceOrdinal.add(o);
                }
            }
        }
        String name = null;
        List<DiskSegment> merging = chosen;
        if (!vectors.isEmpty()) {
            var ravv = new ListRandomAccessVectorValues(vectors, dimension);
            try (var builder = new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(ravv, space.exact()),
                    dimension, opts.graphDegree(), opts.constructionBeam(), 1.2f, 1.2f, true, true)) {
                ImmutableGraphIndex graph = builder.build(ravv);
                name = manifests.nextSegmentName();
                Map<Integer, Integer> oldToNew = SegmentWriter.write(segmentsDir, name, graph, ravv, ids::get, spans::get, opts,
                        lexicalSource.get());
                DiskSegment merged = DiskSegment.open(segmentsDir.resolve(name), null, space, opts);
                writePath.holdingApply(() -> segments.merged(merging, merged, oldToNew, sourceSegment, sourceOrdinal));
            }
        } else {
            writePath.holdingApply(() -> segments.merged(merging, null, Map.of(), sourceSegment, sourceOrdinal));
        }
        List<DiskSegment> gone = chosen;
        manifests.holdingFiles(() -> {
            manifests.write(segments, manifests.coveredLsn());
            for (DiskSegment s : gone) {
                s.close();
                DurableFiles.deleteTree(s.dir());
            }
            return null;
        });
        DurableFiles.fsyncDirectory(segmentsDir);
        merges.incrementAndGet();
        log.info("collection '{}' merged {} segments into {} ({} vectors) in {} ms", collection, chosen.size(),
                name, vectors.size(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** Merges completed since the collection opened (the engine exports it as poisk_collection_merges_total). */
    long merges() {
        return merges.get();
    }
}
