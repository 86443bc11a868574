package io.poisk.index;

import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.disk.AbstractGraphIndexWriter;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndexWriter;
import io.github.jbellis.jvector.graph.disk.feature.Feature;
import io.github.jbellis.jvector.graph.disk.feature.FeatureId;
import io.github.jbellis.jvector.graph.disk.feature.FusedPQ;
import io.github.jbellis.jvector.graph.disk.feature.InlineVectors;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.PhysicalCoreExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Writes a graph and its vectors as a segment folder, crash-safely: everything goes into
 * {@code <name>.tmp/}, is forced, and the folder is renamed to {@code <name>/} (then the parent is
 * forced). A segment folder without {@code .tmp} is therefore always complete; only the manifest
 * decides whether it is part of the collection.
 */
final class SegmentWriter {
    private static final Logger log = LoggerFactory.getLogger(SegmentWriter.class);

    private SegmentWriter() {
    }

    /** Where the lexical side of a segment being written gets each document (by id; null when deleted meanwhile). */
    record LexicalSource(java.util.function.Function<String, io.poisk.core.Document> documents, LexicalFields fields) {
    }

    /** Vectors PQ codebooks are trained on: an even sample; k-means cost grows with it, quality barely does. */
    static final int PQ_TRAINING_VECTORS = 5_000;
    /** Draws the k-means seeding: a segment of the same vectors gets the same codebook. */
    private static final long PQ_SEED = 1;

    /**
     * PQ subspaces for a dimension: one one-byte code per {@code subvectorDims} dimensions (index.pq_subvector_dims,
     * default 8). Coarser codes guide the traversal less well: on e5-small-v2 Javadoc vectors (384-d) recall@10 at
     * beam 80 is 0.984 with 4 dimensions per code and 0.972 with 8, but a code of 8 costs half the table reads, so at
     * equal recall the two run at about the same queries/s, and on Fashion-MNIST (784-d) 8 is 1.2-1.4x faster (session
     * 13). The exact rescoring of the whole beam restores the order among the candidates the codes find. Fused PQ
     * stores every neighbour's code in a node's record, so the codes are most of the graph file: degree × dimension /
     * subvectorDims bytes per vector (8: about as much as the full vector).
     */
    static int pqSubspaces(int dimension, int subvectorDims) {
        return Math.max(1, dimension / subvectorDims);
    }

    /**
     * Whether a codebook trained for a segment of {@code n} vectors saw ordinal {@code o} ({@link #trainingSample}'s
     * formula). Exact for a segment written without deleted nodes; after deletions the written ordinals shift.
     */
    static boolean inTrainingSample(int o, int n) {
        if (n <= PQ_TRAINING_VECTORS) return true;
        long i = ((long) o * PQ_TRAINING_VECTORS + n - 1) / n; // the first sample index at or past o
        return i < PQ_TRAINING_VECTORS && (int) (i * n / PQ_TRAINING_VECTORS) == o;
    }

    private static RandomAccessVectorValues trainingSample(RandomAccessVectorValues all) {
        int n = all.size();
        if (n <= PQ_TRAINING_VECTORS) return all;
        List<VectorFloat<?>> sample = new ArrayList<>(PQ_TRAINING_VECTORS);
        for (int i = 0; i < PQ_TRAINING_VECTORS; i++) sample.add(all.getVector((int) ((long) i * n / PQ_TRAINING_VECTORS)).copy());
        return new ListRandomAccessVectorValues(sample, all.dimension());
    }

    /** A codebook of 256 centroids per subspace trained on {@code sample}: ours ({@link PqTraining}) where it can, else JVector's. */
    private static ProductQuantization train(RandomAccessVectorValues sample, int subspaces) {
        if (!PqTraining.supports(256, sample.size())) return ProductQuantization.compute(sample, subspaces, 256, false);
        List<float[]> points = new ArrayList<>(sample.size());
        for (int i = 0; i < sample.size(); i++) points.add(array(sample.getVector(i)));
        return PqTraining.train(points, subspaces, 256, PQ_SEED, PhysicalCoreExecutor.pool());
    }

    /**
     * Every vector's code: ours where {@link PqTraining#encodes} the codebook and the vectors may be read from several
     * threads at once (not a shared buffer), else JVector's. (No thread-local copies: the pool's threads outlive the
     * write, and a thread-local value would keep the segment's vectors on the heap after it.)
     */
    private static PQVectors encode(ProductQuantization pq, RandomAccessVectorValues vectors) {
        if (!PqTraining.encodes(pq) || vectors.isValueShared()) return pq.encodeAll(vectors, PhysicalCoreExecutor.pool());
        return PqTraining.encode(pq, i -> array(vectors.getVector(i)), vectors.size(), PhysicalCoreExecutor.pool());
    }

    private static float[] array(VectorFloat<?> v) {
        float[] out = new float[v.length()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    /**
     * @param graph    the graph; its node ids are "old" ordinals
     * @param vectors  full vectors by old ordinal
     * @param idOfOld  document id by old ordinal
     */
    /** @return old ordinal → ordinal in the written segment (deleted graph nodes are absent) */
    static Map<Integer, Integer> write(Path segmentsDir, String name, ImmutableGraphIndex graph, RandomAccessVectorValues vectors,
                      IntFunction<String> idOfOld, IndexOptions opts, LexicalSource lexical) throws IOException {
        return write(segmentsDir, name, graph, vectors, idOfOld, o -> null, opts, lexical);
    }

    /**
     * As above, with {@code spanOfOld}: {passage index, start, end} by old ordinal (null: a whole-text single
     * vector). A document's passages keep consecutive ordinals: the renumbering keeps the order of live nodes,
     * and a document's ordinals are deleted together.
     */
    static Map<Integer, Integer> write(Path segmentsDir, String name, ImmutableGraphIndex graph, RandomAccessVectorValues vectors,
                      IntFunction<String> idOfOld, IntFunction<int[]> spanOfOld, IndexOptions opts, LexicalSource lexical) throws IOException {
        return write(segmentsDir, name, graph, vectors, idOfOld, spanOfOld, opts, lexical, null);
    }

    /**
     * As above, with {@code codebook}: a PQ codebook to encode with instead of training one (null: train), taken by
     * a merge from the input whose graph it keeps; used only if its shape is the one this segment would train.
     */
    static Map<Integer, Integer> write(Path segmentsDir, String name, ImmutableGraphIndex graph, RandomAccessVectorValues vectors,
                      IntFunction<String> idOfOld, IntFunction<int[]> spanOfOld, IndexOptions opts, LexicalSource lexical,
                      ProductQuantization codebook) throws IOException {
        long t0 = System.nanoTime();
        Path tmp = segmentsDir.resolve(name + ".tmp");
        Path target = segmentsDir.resolve(name);
        DurableFiles.deleteTree(tmp);
        Files.createDirectories(tmp);
        int dimension = vectors.dimension();
        Map<Integer, Integer> oldToNew = AbstractGraphIndexWriter.sequentialRenumbering(graph);
        String[] ids = new String[oldToNew.size()];
        oldToNew.forEach((oldOrd, newOrd) -> ids[newOrd] = idOfOld.apply(oldOrd));
        int[] spans = new int[3 * ids.length];
        boolean multi = false;
        for (var e : oldToNew.entrySet()) {
            int[] s = spanOfOld.apply(e.getKey());
            int n = e.getValue();
            if (s == null) {
                spans[3 * n + 2] = PassageVector.WHOLE_END;
                continue;
            }
            multi = true;
            System.arraycopy(s, 0, spans, 3 * n, 3);
        }

        boolean fused = ids.length >= opts.pqMinVectors();
        ProductQuantization pq = null;
        PQVectors pqVectors = null;
        long tTrained = t0;
        boolean reuse = false;
        if (fused) {
            reuse = codebook != null && codebook.getOriginalDimension() == dimension
                    && codebook.getSubspaceCount() == pqSubspaces(dimension, opts.pqSubvectorDims()) && codebook.getClusterCount() == 256;
            pq = reuse ? codebook : train(trainingSample(vectors), pqSubspaces(dimension, opts.pqSubvectorDims()));
            tTrained = System.nanoTime();
            pqVectors = encode(pq, vectors);
        }
        long tPq = System.nanoTime();
        var builder = new OnDiskGraphIndexWriter.Builder(graph, tmp.resolve(SegmentFiles.GRAPH))
                .withMap(oldToNew)
                .with(new InlineVectors(dimension));
        if (fused) builder.with(new FusedPQ(graph.maxDegree(), pq));
        try (var writer = builder.build(); var view = graph.getView()) {
            Map<FeatureId, IntFunction<Feature.State>> suppliers = new EnumMap<>(FeatureId.class);
            suppliers.put(FeatureId.INLINE_VECTORS, ordinal -> new InlineVectors.State(vectors.getVector(ordinal)));
            if (fused) {
                PQVectors codes = pqVectors;
                suppliers.put(FeatureId.FUSED_PQ, ordinal -> new FusedPQ.State(view, codes, ordinal));
            }
            writer.write(suppliers);
        }
        SegmentFiles.writeIds(tmp.resolve(SegmentFiles.IDS), ids);
        // Only segments holding passages get the file: the others keep the layout older builds read.
        if (multi) SegmentFiles.writePassages(tmp.resolve(SegmentFiles.PASSAGES), spans);
        long tLexical = System.nanoTime();
        DiskLexicalIndex.write(tmp, ids, o -> spans[3 * o] == 0, lexical.documents(), lexical.fields());
        tLexical = System.nanoTime() - tLexical;
        SegmentChecksums.write(tmp);
        DurableFiles.fsyncTree(tmp);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsyncDirectory(segmentsDir);
        log.info("segment {} written: {} vectors, fused PQ {} ({} {} ms, encoding {} ms), graph + lexical write {} ms"
                        + " (lexical {} ms)", name, ids.length, fused, reuse ? "codebook kept, renumbering" : "training",
                fused ? (tTrained - t0) / 1_000_000 : 0,
                fused ? (tPq - tTrained) / 1_000_000 : 0, (System.nanoTime() - tPq) / 1_000_000, tLexical / 1_000_000);
        return oldToNew;
    }
}
