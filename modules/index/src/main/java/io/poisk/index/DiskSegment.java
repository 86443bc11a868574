package io.poisk.index;

import io.github.jbellis.jvector.disk.ReaderSupplier;
import io.github.jbellis.jvector.disk.ReaderSupplierFactory;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.disk.feature.FeatureId;
import io.github.jbellis.jvector.graph.disk.feature.FusedPQ;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.util.AtomicFixedBitSet;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.ExplicitThreadLocal;
import io.github.jbellis.jvector.vector.types.VectorFloat;

import org.apache.lucene.util.FixedBitSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable on-disk segment: a JVector graph with inline full vectors (exact rescoring) and,
 * when large enough, fused PQ codes (traversal), plus the ordinal → id table and tombstones.
 * Searchers are reused per thread; building one per query is a known slowness.
 */
final class DiskSegment implements Segment {
    private static final Logger log = LoggerFactory.getLogger(DiskSegment.class);
    private final String name;
    private final Path dir;
    private final ReaderSupplier readers;
    private final OnDiskGraphIndex graph;
    private final SegmentIds ids;
    /** {passage index, start, end} per ordinal (see SegmentFiles.writePassages); null: every ordinal is a whole document. */
    private final int[] spans;
    private final AtomicFixedBitSet deleted;
    private final Bits accept;
    private final AtomicInteger deletedCount = new AtomicInteger();
    private final boolean fusedPq;
    private final VectorSpace space;
    private final int rescoreFactor;
    private final ExplicitThreadLocal<GraphSearcher> searchers;
    /** Fused-PQ segments: the bottom-layer search that keeps its candidate heap near the beam ({@link FusedGraphSearch}). */
    private final ExplicitThreadLocal<FusedGraphSearch> fusedSearchers;
    /** Fused-PQ segments under EUCLIDEAN or DOT_PRODUCT codes: what {@link FusedScores} reads; else null. */
    private final PqTables pqTables;
    private final FusedScores.UpperLayerCodes upperCodes;
    /** Where {@link FusedScores} reads bottom-layer records itself; null: through JVector's view. */
    private final FusedScores.RecordLayout records;
    /** Null for a segment written before lexical indexing existed: it answers no lexical or filtered query. */
    private final DiskLexicalIndex lexical;
    /** The tombstone file the manifest names for this segment (null: none) and how many it holds. */
    private volatile String tombstoneFile;
    private volatile int persistedDeletes;

    private DiskSegment(String name, Path dir, ReaderSupplier readers, OnDiskGraphIndex graph, SegmentIds ids, int[] spans,
                        VectorSpace space, IndexOptions opts, DiskLexicalIndex lexical) {
        this.name = name;
        this.space = space;
        this.spans = spans;
        this.lexical = lexical;
        this.dir = dir;
        this.readers = readers;
        this.graph = graph;
        this.ids = ids;
        this.deleted = new AtomicFixedBitSet(Math.max(1, ids.size()));
        this.accept = ordinal -> !deleted.get(ordinal);
        this.fusedPq = graph.getFeatureSet().contains(FeatureId.FUSED_PQ);
        this.rescoreFactor = opts.rescoreFactor();
        this.searchers = ExplicitThreadLocal.withInitial(() -> new GraphSearcher(graph));
        PqTables tables = null;
        FusedScores.UpperLayerCodes upper = null;
        if (fusedPq && ExactScores.VECTOR_API) { // PqTables computes with the Vector API
            tables = PqTables.of(pqCodebook(), space.approximate());
            if (tables != null) {
                try (var view = graph.getView()) {
                    upper = FusedScores.UpperLayerCodes.of(view, tables.subspaces());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        this.pqTables = tables;
        this.upperCodes = upper;
        this.records = tables == null ? null : FusedScores.RecordLayout.of(graph);
        if (tables != null && records == null) log.warn("segment {}: its graph records are not laid out as expected; searches read them through JVector's view", name);
        this.fusedSearchers = ExplicitThreadLocal.withInitial(() -> newFusedSearch(true));
    }

    /** A searcher of this fused-PQ segment for one thread: scoring codes itself, or ({@code ownScores} false) by JVector's decoder. */
    FusedGraphSearch newFusedSearch(boolean ownScores) {
        return ownScores ? new FusedGraphSearch(graph, pqTables, upperCodes, records) : new FusedGraphSearch(graph, null, null, null);
    }

    /** A searcher that scores codes itself but reads every record through JVector's view (A/B benches). */
    FusedGraphSearch newFusedSearchThroughView() {
        return new FusedGraphSearch(graph, pqTables, upperCodes, null);
    }

    /** Where searches read this segment's bottom-layer records; null: through the view (tests). */
    FusedScores.RecordLayout records() {
        return records;
    }


    /** {@code -Dpoisk.search.jvector=true}: fused-PQ segments are searched by JVector's GraphSearcher (A/B runs only). */
    static final String JVECTOR_SEARCH_PROPERTY = "poisk.search.jvector";
    private static final boolean JVECTOR_SEARCH = Boolean.getBoolean(JVECTOR_SEARCH_PROPERTY);

    /** Opens {@code dir} with the tombstone file the manifest names (or none); {@code space} is its collection's. */
    static DiskSegment open(Path dir, String tombstoneFile, VectorSpace space, IndexOptions opts) throws IOException {
        SegmentIds ids = SegmentIds.open(dir.resolve(SegmentFiles.IDS));
        int[] spans = SegmentFiles.readPassages(dir.resolve(SegmentFiles.PASSAGES), ids.size());
        ReaderSupplier rs = ReaderSupplierFactory.open(dir.resolve(SegmentFiles.GRAPH));
        OnDiskGraphIndex graph;
        try {
            graph = OnDiskGraphIndex.load(rs);
        } catch (RuntimeException e) {
            rs.close();
            throw new IOException("cannot load segment graph " + dir, e);
        }
        if (graph.getIdUpperBound() != ids.size()) {
            graph.close();
            rs.close();
            throw new IOException("segment " + dir + " has " + graph.getIdUpperBound() + " graph nodes but " + ids.size() + " ids");
        }
        DiskLexicalIndex lexical;
        try {
            lexical = DiskLexicalIndex.open(dir, heads(spans, ids.size()));
        } catch (IOException | RuntimeException e) {
            graph.close();
            rs.close();
            throw e;
        }
        if (lexical == null) log.warn("segment {} has no lexical index (written by an older version); merge rewrites it", dir);
        DiskSegment s = new DiskSegment(dir.getFileName().toString(), dir, rs, graph, ids, spans, space, opts, lexical);
        if (tombstoneFile != null) {
            for (int o : SegmentFiles.readTombstones(dir.resolve(tombstoneFile))) s.markDeleted(o);
            s.tombstoneFile = tombstoneFile;
            s.persistedDeletes = s.deletedCount.get();
        }
        return s;
    }

    /** How many ordinals start a document (lexical docs): all of them without a passages file. */
    private static int heads(int[] spans, int ordinals) {
        if (spans == null) return ordinals;
        int n = 0;
        for (int o = 0; o < ordinals; o++) if (spans[3 * o] == 0) n++;
        return n;
    }

    @Override
    public String name() {
        return name;
    }

    Path dir() {
        return dir;
    }

    @Override
    public int size() {
        return ids.size();
    }

    boolean hasFusedPq() {
        return fusedPq;
    }

    @Override
    public String idAt(int ordinal) {
        return ids.get(ordinal);
    }

    @Override
    public boolean hasId(int ordinal, String id) {
        return ids.matches(ordinal, id);
    }

    @Override
    public java.util.Iterator<String> idsAfter(String after) {
        int[] heads = ids.headsInIdOrder(o -> passageIndex(o) == 0);
        int lo = 0;
        int hi = heads.length;
        while (after != null && lo < hi) { // the first head whose id sorts after 'after'
            int mid = (lo + hi) >>> 1;
            if (ids.get(heads[mid]).compareTo(after) <= 0) lo = mid + 1;
            else hi = mid;
        }
        int first = lo;
        return new java.util.Iterator<>() {
            private int next = first;

            @Override
            public boolean hasNext() {
                return next < heads.length;
            }

            @Override
            public String next() {
                if (next >= heads.length) throw new java.util.NoSuchElementException();
                return ids.get(heads[next++]);
            }
        };
    }

    /** Read from the graph file's inline full vectors (kept beside any PQ codes for exact rescoring). */
    @Override
    public int passageIndex(int ordinal) {
        return spans == null ? 0 : spans[3 * ordinal];
    }

    @Override
    public int passageStart(int ordinal) {
        return spans == null ? 0 : spans[3 * ordinal + 1];
    }

    @Override
    public int passageEnd(int ordinal) {
        return spans == null ? PassageVector.WHOLE_END : spans[3 * ordinal + 2];
    }

    @Override
    public float[] vectorAt(int ordinal) {
        try (var view = graph.getView()) {
            return vector(view, ordinal);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("closing a view of segment " + name, e);
        }
    }

    @Override
    public boolean markDeleted(int ordinal) {
        if (deleted.getAndSet(ordinal)) return false;
        deletedCount.incrementAndGet();
        return true;
    }

    @Override
    public boolean isDeleted(int ordinal) {
        return deleted.get(ordinal);
    }

    int deletedCount() {
        return deletedCount.get();
    }

    @Override
    public int liveCount() {
        return ids.size() - deletedCount.get();
    }

    @Override
    public List<ScoredId> search(VectorFloat<?> query, int k, int searchBeam, FixedBitSet allowed, int allowedCount) {
        if (ids.size() == 0 || liveCount() == 0 || (allowed != null && allowedCount == 0)) return List.of();
        GraphSearcher searcher = searchers.get();
        var view = (OnDiskGraphIndex.View) searcher.getView();
        // A small segment is scanned exactly, as a small live one is: its answer never depends on the graph.
        if (ids.size() <= Segment.EXACT_SCAN_MAX_DOCS || (allowed != null && Segment.useExactScan(allowedCount, ids.size()))) {
            ScoreFunction.ExactScoreFunction exact = view.rerankerFor(query, space.exact());
            TopScores top = new TopScores(k);
            int limit = allowed == null ? ids.size() : Math.min(allowed.length(), ids.size());
            for (int o = 0; o < limit; o++) {
                if (allowed != null) {
                    o = allowed.nextSetBit(o);
                    if (o < 0 || o >= limit) break;
                }
                if (!deleted.get(o)) top.offer(o, exact.similarityTo(o));
            }
            return top.toScoredIds(ids::get, space);
        }
        Bits accept = allowed == null ? this.accept : Segment.accept(this, allowed);
        int beamFactorBase = allowed == null ? 0 : allowedCount;
        List<ScoredId> out = new ArrayList<>();
        if (fusedPq) {
            // Traverse with the fused PQ codes, keeping a beam of at least k * rescoreFactor candidates;
            // the whole beam is then rescored with the full vectors and the best k returned.
            int beam = Math.max(searchBeam, k * rescoreFactor);
            if (allowed != null) beam = Segment.filteredBeam(beam, beamFactorBase, ids.size());
            FusedGraphSearch fused = JVECTOR_SEARCH ? null : fusedSearchers.get();
            SearchResult r;
            if (fused != null && fused.canSearch()) {
                r = fused.search(fused.approximateScores(query, space.approximate()),
                        fused.exactScores(query, space.exact()), k, beam, accept);
            } else {
                ScoreFunction.ExactScoreFunction exact = view.rerankerFor(query, space.exact());
                var ssp = new DefaultSearchScoreProvider(view.approximateScoreFunctionFor(query, space.approximate()), exact);
                r = searcher.search(ssp, k, beam, VectorSpace.NO_THRESHOLD, VectorSpace.NO_RERANK_FLOOR, accept);
            }
            for (SearchResult.NodeScore ns : r.getNodes()) {
                if (deleted.get(ns.node)) continue;
                out.add(new ScoredId(ids.get(ns.node), ns.node, space.score(ns.score)));
            }
        } else {
            var ssp = DefaultSearchScoreProvider.exact(query, space.exact(), view);
            int beam = Math.max(searchBeam, k);
            if (allowed != null) beam = Segment.filteredBeam(beam, beamFactorBase, ids.size());
            SearchResult r = searcher.search(ssp, k, beam, VectorSpace.NO_THRESHOLD, VectorSpace.NO_RERANK_FLOOR, accept);
            for (SearchResult.NodeScore ns : r.getNodes()) {
                if (deleted.get(ns.node)) continue;
                out.add(new ScoredId(ids.get(ns.node), ns.node, space.score(ns.score)));
            }
        }
        return out;
    }

    @Override
    public LexicalView lexicalView() {
        if (lexical == null) return List::of;
        return lexical.view(this);
    }

    /** The stored full vector of an ordinal (a copy), for merges. */
    float[] vector(OnDiskGraphIndex.View view, int ordinal) {
        VectorFloat<?> v = view.getVector(ordinal);
        float[] out = new float[v.length()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    /** The PQ codebook of the segment's fused codes, or null without them; a merge that keeps this graph reuses it. */
    ProductQuantization pqCodebook() {
        return fusedPq ? ((FusedPQ) graph.getFeatures().get(FeatureId.FUSED_PQ)).getPQ() : null;
    }

    /** The segment's graph, for a merge that grows it ({@link GraphSeed}). */
    OnDiskGraphIndex graph() {
        return graph;
    }

    OnDiskGraphIndex.View openView() {
        return graph.getView();
    }

    /** Deleted ordinals, ascending (a snapshot). */
    int[] deletedOrdinals() {
        int[] out = new int[deletedCount.get()];
        int n = 0;
        for (int i = deleted.nextSetBit(0); i >= 0 && i < ids.size(); i = i + 1 < ids.size() ? deleted.nextSetBit(i + 1) : -1) {
            if (n == out.length) out = java.util.Arrays.copyOf(out, out.length * 2 + 1);
            out[n++] = i;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Writes the current tombstones to {@code tombstones-<generation>.bin} when they changed since the
     * last write; returns the file name the next manifest must name for this segment.
     */
    PersistedTombstones persistTombstones(long generation) throws IOException {
        if (deletedCount.get() == persistedDeletes) return new PersistedTombstones(tombstoneFile, persistedDeletes);
        int[] ordinals = deletedOrdinals();
        String file = "tombstones-" + generation + ".bin";
        SegmentFiles.writeTombstones(dir.resolve(file), ordinals);
        return new PersistedTombstones(file, ordinals.length);
    }

    record PersistedTombstones(String file, int count) {
    }

    /** Called once the manifest naming {@code file} is durable: older tombstone files go. */
    void tombstonesPersisted(String file, int count) throws IOException {
        String old = tombstoneFile;
        tombstoneFile = file;
        persistedDeletes = count;
        if (old != null && !old.equals(file)) Files.deleteIfExists(dir.resolve(old));
    }

    String tombstoneFile() {
        return tombstoneFile;
    }

    @Override
    public void close() throws IOException {
        try {
            searchers.close();
            fusedSearchers.close();
        } catch (Exception e) {
            throw new IOException(e);
        }
        graph.close();
        readers.close();
        if (lexical != null) lexical.close();
    }
}
