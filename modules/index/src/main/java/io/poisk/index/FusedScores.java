package io.poisk.index;

import io.github.jbellis.jvector.disk.RandomAccessReader;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.disk.feature.FeatureId;
import io.github.jbellis.jvector.graph.disk.feature.FusedFeature;
import io.github.jbellis.jvector.graph.disk.feature.FusedPQ;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.vector.types.ByteSequence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * <p>Where the segment's {@link RecordLayout} checked out, the bottom-layer walk reads each node's record itself
 * ({@link #expand}): its neighbours' codes and ids in one copy, the ids decoded from the file's big-endian bytes in
 * place. JVector's view copies the ids with a byte swap per record ({@code Unsafe.copySwapMemory}, a native call) and
 * then the codes: 20% of a Javadoc query's samples (JFR, session 21), and its neighbour loop another 8-15%.
 *
 * <p>One per searching thread and segment, reused by every query ({@link #reset}); not thread-safe.
 */
final class FusedScores implements ScoreFunction.ApproximateScoreFunction, LayerBeam.Expansion {
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

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
    /** Where {@link #expand} reads records; null: only through the view. */
    private final RecordLayout layout;
    /** One bottom-layer record from its codes on: codes, neighbour count, neighbour ids; null without a layout. */
    private final byte[] record;
    /** The view's own reader: {@link #expand} seeks it, as the view's methods do before each read. */
    private final RandomAccessReader reader;

    /**
     * {@code blockBytes}: the size of a node's block of neighbour codes ({@code FusedPQ.featureSize()});
     * {@code layout}: the segment's, or null where the walk reads neighbours through the view.
     */
    FusedScores(OnDiskGraphIndex.View view, PqTables tables, UpperLayerCodes upper, int blockBytes, RecordLayout layout) {
        this.view = view;
        this.tables = tables;
        this.upper = upper;
        this.table = tables.newTable();
        this.subspaces = tables.subspaces();
        this.scratch = tables.newScratch();
        this.layout = layout;
        this.record = layout == null ? null : new byte[layout.readBytes()];
        try {
            this.reader = layout == null ? null : view.featureReaderForNode(0, FeatureId.FUSED_PQ);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** Whether {@link #expand} reads the segment's records itself. */
    boolean readsRecords() {
        return layout != null;
    }

    /** Scores {@code node}'s bottom-layer neighbours that {@code unvisited} marks, from its own record. */
    @Override
    public void expand(int node, ImmutableGraphIndex.IntMarker unvisited, ImmutableGraphIndex.NeighborProcessor offer) {
        try {
            reader.seek(layout.codesAt(node));
            reader.readFully(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int ids = layout.blockBytes + Integer.BYTES;
        int count = (int) INT_BE.get(record, layout.blockBytes);
        for (int i = 0; i < count; i++) {
            int neighbour = (int) INT_BE.get(record, ids + i * Integer.BYTES);
            if (unvisited.mark(neighbour)) offer.process(neighbour, tables.score(table, record, i * subspaces, scratch));
        }
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

    /**
     * Where a bottom-layer node's neighbour codes and ids lie in a fused-PQ graph file, found through the view's
     * public accessors and checked against what the view reads; null from {@link #of} where anything differs, and
     * the walk then reads through the view. JVector's level-0 records are of one size, in node order: the node's id,
     * its inline features (the full vector, then the fused codes of its neighbours), the neighbour count and
     * {@code degree} id slots, all big-endian.
     *
     * @param firstCodes  where node 0's block of neighbour codes starts
     * @param recordSize  bytes from one node's record to the next
     * @param blockBytes  the block of neighbour codes ({@code degree * subspaces})
     * @param degree      the bottom layer's neighbour slots per record
     * @param firstVector where node 0's full vector starts; -1 where the records hold none
     */
    record RecordLayout(long firstCodes, long recordSize, int blockBytes, int degree, long firstVector) {
        /** Nodes whose records {@link #of} compares with the view's reading, besides the first and last. */
        private static final int CHECKED_NODES = 64;
        private static final VarHandle FLOAT_BE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.BIG_ENDIAN);

        long codesAt(int node) {
            return firstCodes + node * recordSize;
        }

        /** Whether the records hold each node's full vector ({@link InlineVectorScores}). */
        boolean hasVectors() {
            return firstVector >= 0;
        }

        long vectorAt(int node) {
            return firstVector + node * recordSize;
        }

        /** The codes, the count and the id slots: what {@link FusedScores#expand} copies per node. */
        int readBytes() {
            return blockBytes + Integer.BYTES * (1 + degree);
        }

        static RecordLayout of(OnDiskGraphIndex graph) {
            int nodes = graph.getIdUpperBound();
            var feature = graph.getFeatures().get(FeatureId.FUSED_PQ);
            if (feature == null || nodes < 2) return null;
            try (var view = graph.getView()) {
                long first = view.featureReaderForNode(0, FeatureId.FUSED_PQ).getPosition();
                boolean vectors = graph.getFeatures().containsKey(FeatureId.INLINE_VECTORS);
                RecordLayout layout = new RecordLayout(first, view.featureReaderForNode(1, FeatureId.FUSED_PQ).getPosition() - first,
                        feature.featureSize(), graph.getDegree(0),
                        vectors ? view.featureReaderForNode(0, FeatureId.INLINE_VECTORS).getPosition() : -1);
                if (layout.recordSize < layout.readBytes()) return null;
                byte[] ours = new byte[layout.readBytes()];
                byte[] theirs = new byte[layout.blockBytes];
                byte[] vector = new byte[graph.getDimension() * Float.BYTES];
                for (int c = 0; c <= CHECKED_NODES + 1; c++) {
                    int node = (int) ((long) (nodes - 1) * c / (CHECKED_NODES + 1));
                    if (!layout.matches(view, node, ours, theirs)) return null;
                    if (vectors && !layout.vectorMatches(view, node, vector)) return null;
                }
                return layout;
            } catch (IOException | RuntimeException e) {
                return null; // read through the view, which reports its own errors
            }
        }

        /** Whether this layout reads {@code node}'s full vector as the view does. */
        private boolean vectorMatches(OnDiskGraphIndex.View view, int node, byte[] bytes) throws IOException {
            RandomAccessReader reader = view.featureReaderForNode(node, FeatureId.INLINE_VECTORS);
            if (reader.getPosition() != vectorAt(node)) return false;
            reader.readFully(bytes);
            var theirs = view.getVector(node);
            for (int d = 0; d < theirs.length(); d++) {
                if (Float.floatToRawIntBits((float) FLOAT_BE.get(bytes, d * Float.BYTES)) != Float.floatToRawIntBits(theirs.get(d))) return false;
            }
            return true;
        }

        /** Whether this layout reads {@code node}'s codes and neighbours as the view does. */
        private boolean matches(OnDiskGraphIndex.View view, int node, byte[] ours, byte[] theirs) throws IOException {
            RandomAccessReader reader = view.featureReaderForNode(node, FeatureId.FUSED_PQ);
            if (reader.getPosition() != codesAt(node)) return false;
            reader.readFully(ours);
            view.getPackedNeighbors(node, FeatureId.FUSED_PQ, r -> {
                try {
                    r.readFully(theirs);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!Arrays.equals(ours, 0, blockBytes, theirs, 0, blockBytes)) return false;
            NodesIterator neighbours = view.getNeighborsIterator(0, node);
            int count = (int) INT_BE.get(ours, blockBytes);
            if (count != neighbours.size() || count > degree) return false;
            for (int i = 0; i < count; i++) {
                if ((int) INT_BE.get(ours, blockBytes + Integer.BYTES * (1 + i)) != neighbours.nextInt()) return false;
            }
            return true;
        }
    }
}
