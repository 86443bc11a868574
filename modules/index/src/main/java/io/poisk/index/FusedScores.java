package io.poisk.index;

import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.disk.feature.FeatureId;
import io.github.jbellis.jvector.graph.disk.feature.FusedFeature;
import io.github.jbellis.jvector.graph.disk.feature.FusedPQ;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.vector.types.ByteSequence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A query's approximate scores on one fused-PQ segment, read from the graph's own codes: a bottom-layer node's
 * record holds the codes of all its neighbours ({@link #enableSimilarityToNeighbors}), and an upper-layer node's
 * own code is kept in memory ({@link UpperLayerCodes}). It stands in for JVector's {@code FusedPQDecoder} in
 * {@link FusedGraphSearch} and scores the same codes with the same codebook, in the order that decoder would.
 *
 * <p>Why not the decoder: its per-query set-up was a quarter of a Fashion-MNIST query and scoring upper-layer nodes
 * a fifth, most of it a hash lookup ({@code containsKey}, then {@code get}) and a native call per node (JFR, session
 * 13). Here the tables come from {@link PqTables}, an upper-layer code is found by binary search in one array, and
 * each code is summed by Vector API gathers.
 *
 * <p>One per searching thread and segment, reused by every query ({@link #reset}); not thread-safe.
 */
final class FusedScores implements ScoreFunction.ApproximateScoreFunction {
    private final OnDiskGraphIndex.View view;
    private final PqTables tables;
    private final UpperLayerCodes upper;
    private final float[] table;
    /** The codes of the current origin's neighbours, {@code subspaces} bytes each, as the node's record holds them. */
    private final byte[] neighbourCodes;
    private final Consumer<io.github.jbellis.jvector.disk.RandomAccessReader> readCodes;
    private final int subspaces;
    private final int[] scratch;
    private int origin = -1;

    /** {@code blockBytes}: the size of a node's block of neighbour codes ({@code FusedPQ.featureSize()}). */
    FusedScores(OnDiskGraphIndex.View view, PqTables tables, UpperLayerCodes upper, int blockBytes) {
        this.view = view;
        this.tables = tables;
        this.upper = upper;
        this.table = tables.newTable();
        this.subspaces = tables.subspaces();
        this.scratch = tables.newScratch();
        this.neighbourCodes = new byte[blockBytes];
        this.readCodes = reader -> {
            try {
                reader.readFully(neighbourCodes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** Prepares for a new query (a unit vector for cosine collections, as stored). */
    FusedScores reset(float[] query) {
        tables.fill(query, table);
        origin = -1;
        return this;
    }

    @Override
    public float similarityTo(int node) {
        int slot = upper.slotOf(node);
        if (slot < 0) throw new IllegalArgumentException("node " + node + " is on no upper layer; its code is only in its neighbours' records");
        return tables.score(table, upper.codes, slot * subspaces, scratch);
    }

    @Override
    public boolean supportsSimilarityToNeighbors() {
        return true;
    }

    @Override
    public void enableSimilarityToNeighbors(int node) {
        if (node == origin) return;
        try {
            view.getPackedNeighbors(node, FeatureId.FUSED_PQ, readCodes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        origin = node;
    }

    @Override
    public float similarityToNeighbor(int node, int index) {
        if (node != origin) throw new IllegalArgumentException("neighbour codes were read for node " + origin + ", not " + node);
        return tables.score(table, neighbourCodes, index * subspaces, scratch);
    }

    /**
     * The codes of the nodes on upper layers (about one node in {@code degree}), which JVector keeps in a hash map
     * of objects: here in one array, ordered by node, found by binary search.
     */
    static final class UpperLayerCodes {
        private final int[] nodes;
        final byte[] codes;

        private UpperLayerCodes(int[] nodes, byte[] codes) {
            this.nodes = nodes;
            this.codes = codes;
        }

        static UpperLayerCodes of(OnDiskGraphIndex.View view, int subspaces) {
            var cached = view.getInlineSourceFeatures();
            int[] nodes = cached.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            byte[] codes = new byte[nodes.length * subspaces];
            for (int i = 0; i < nodes.length; i++) {
                FusedFeature.InlineSource source = cached.get(nodes[i]);
                ByteSequence<?> code = ((FusedPQ.FusedPQInlineSource) source).getCode();
                if (code.length() != subspaces) throw new IllegalStateException("upper-layer code of " + code.length() + " bytes, expected " + subspaces);
                for (int m = 0; m < subspaces; m++) codes[i * subspaces + m] = code.get(m);
            }
            return new UpperLayerCodes(nodes, codes);
        }

        int slotOf(int node) {
            return Arrays.binarySearch(nodes, node);
        }
    }
}
