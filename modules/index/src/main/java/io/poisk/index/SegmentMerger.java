package io.poisk.index;

import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.PhysicalCoreExecutor;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * Carries out one merge of a collection: the live documents of the chosen on-disk segments are written
 * (graph rebuilt, tombstoned documents dropped) into one new segment, which replaces them under the write
 * path's apply lock; the manifest then names it, and only after that are the old folders deleted.
 * {@link MergePolicy} decides what to merge, {@link SegmentMaintenance} when; callers hold its merge lock.
 */
final class SegmentMerger {
    private static final Logger log = LoggerFactory.getLogger(SegmentMerger.class);
    /** Set to false, merged graphs are built from nothing: for A/B benchmarks ({@code SeededMergeBench}). */
    static final String SEED_PROPERTY = "poisk.merge.seed";

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
    /** Vectors merges have inserted into a graph (a seeded merge inserts only those not in its base). */
    private final java.util.concurrent.atomic.AtomicLong insertions = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Writes the live documents of {@code chosen} into one new segment and swaps it in for them. The input with the
     * most live documents keeps its graph ({@link GraphSeed}): its ordinals come first, deleted ones included so
     * that JVector can reconnect around them, and only the other inputs' vectors are inserted.
     */
    void merge(List<DiskSegment> chosen) throws IOException {
        long t0 = System.nanoTime();
        chosen = List.copyOf(chosen);
        boolean seed = Boolean.parseBoolean(System.getProperty(SEED_PROPERTY, "true"));
        DiskSegment base = !seed ? null : chosen.stream().filter(s -> GraphSeed.fits(s.graph(), opts.graphDegree()))
                .max(Comparator.comparingInt(DiskSegment::liveCount)).orElse(null);
        List<DiskSegment> order = new ArrayList<>(chosen);
        if (base != null) {
            order.remove(base);
            order.addFirst(base);
        }
        List<float[]> arrays = new ArrayList<>();
        List<VectorFloat<?>> vectors = new ArrayList<>(); // JVector's views of the same arrays, for the writer
        List<String> ids = new ArrayList<>();
        List<int[]> spans = new ArrayList<>(); // null entries: whole-text single vectors
        List<DiskSegment> sourceSegment = new ArrayList<>();
        List<Integer> sourceOrdinal = new ArrayList<>();
        List<Integer> dropped = new ArrayList<>(); // the base's deleted ordinals, removed from the graph at cleanup
        for (DiskSegment s : order) {
            try (var view = s.openView()) {
                for (int o = 0; o < s.size(); o++) {
                    if (s.isDeleted(o)) {
                        if (s != base) continue;
                        dropped.add(o);
                    }
                    float[] v = space.prepare(s.vector(view, o));
                    arrays.add(v);
                    vectors.add(LiveSegment.VTS.createFloatVector(v));
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
        int inserted = vectors.size();
        long tGraph = 0;
        if (vectors.size() > dropped.size()) {
            var ravv = new ListRandomAccessVectorValues(vectors, dimension);
            // A fresh graph gets JVector's final refinement pass (a search per node); a seeded one keeps its base's
            // graph as that was built (a flush does not refine), and a pass over all its nodes would cost what the seed saves.
            boolean refine = base == null;
            var scores = new Int8Scores(dimension, space.exact());
            for (float[] v : arrays) scores.append(v);
            try (var builder = GraphInserter.newBuilder(scores, dimension, opts, refine);
                 var inserter = new GraphInserter(builder, scores, opts.constructionBeam())) {
                int first = 0;
                if (base != null) {
                    GraphSeed.load(base.graph(), builder, scores, segmentsDir);
                    first = base.size();
                    inserted = vectors.size() - first;
                }
                int from = first;
                // JVector's pool of one thread per physical core, as its own build used: the common pool has one
                // worker on two cores. SeededMergeBench (15,000 + 5,000 Fashion-MNIST vectors): the graph of a fresh
                // merge in 4.6 s instead of 7.7, of a seeded one in 2.3 s instead of 3.4.
                PhysicalCoreExecutor.pool().submit(() -> IntStream.range(from, ravv.size()).parallel().forEach(inserter::insert)).join();
                // Marked after the inserts, which route through them as through any node (JVector's own insertion
                // avoided marked nodes, which cut new ones off a deleted entry point); cleanup() reconnects around them.
                for (int o : dropped) builder.markNodeDeleted(o);
                builder.cleanup();
                ImmutableGraphIndex graph = builder.getGraph();
                tGraph = System.nanoTime() - t0;
                name = manifests.nextSegmentName();
                KeptCodebook kept = base == null ? null : KeptCodebook.of(base);
                ProductQuantization codebook = kept != null && kept.fits(ravv, base.size(), ravv.size()) ? kept.codebook() : null;
                Map<Integer, Integer> oldToNew = SegmentWriter.write(segmentsDir, name, graph, ravv, ids::get, spans::get, opts,
                        lexicalSource.get(), codebook);
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
        if (name != null) insertions.addAndGet(inserted);
        log.info("collection '{}' merged {} segments into {} ({} vectors, {} inserted into {} graph) in {} ms ({} ms to the graph)",
                collection, chosen.size(), name, vectors.size() - dropped.size(), inserted,
                base == null ? "a new" : base.name() + "'s", (System.nanoTime() - t0) / 1_000_000, tGraph / 1_000_000);
    }

    /** Merges completed since the collection opened (the engine exports it as poisk_collection_merges_total). */
    long merges() {
        return merges.get();
    }

    /** Vectors inserted into graphs by the merges since the collection opened. */
    long insertions() {
        return insertions.get();
    }
}
