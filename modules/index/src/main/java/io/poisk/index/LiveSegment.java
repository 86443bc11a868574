package io.poisk.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.ExplicitThreadLocal;
import io.github.jbellis.jvector.util.ThreadSafeGrowableBitSet;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;

import io.poisk.core.Document;
import org.apache.lucene.util.FixedBitSet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The in-memory segment that takes new documents: the graph of a JVector {@link GraphIndexBuilder}, grown by a
 * {@link GraphInserter} scoring one-byte codes of the vectors ({@link Int8Scores}) and searched by an
 * {@link OnHeapGraphWalk} over the same codes, its beam rescored exactly ({@link ExactScores}), in the collection's
 * {@link VectorSpace}. Ordinals are assigned in log order by the single applier; graph insertion of a batch runs in
 * parallel.
 */
final class LiveSegment implements Segment {
    static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

    private final String name;
    private final int dimension;
    private final VectorSpace space;
    private final Map<Integer, String> ids = new ConcurrentHashMap<>();
    /** The ids of the documents added here, sorted, for exports (a live segment's worth of heap, not the collection's). */
    private final java.util.concurrent.ConcurrentSkipListSet<String> sortedIds = new java.util.concurrent.ConcurrentSkipListSet<>();
    /** {passage index, start, end} of ordinals that are not a whole-text single vector (most documents are). */
    private final Map<Integer, int[]> spans = new ConcurrentHashMap<>();
    private final LiveVectors vectors;
    private final GraphIndexBuilder builder;
    private final ThreadSafeGrowableBitSet deleted = new ThreadSafeGrowableBitSet(1024);
    private final Bits accept = ordinal -> !deleted.get(ordinal);
    private final AtomicInteger deletedCount = new AtomicInteger();
    /** Searches score by these; the graph is built by {@link #buildScores}. */
    private final ExactScores scores;
    private final Int8Scores buildScores;
    private final GraphInserter inserter;
    private final ExplicitThreadLocal<OnHeapGraphWalk> walks = ExplicitThreadLocal.withInitial(OnHeapGraphWalk::new);
    private final LiveLexicalIndex lexical;
    private volatile int size;
    private volatile boolean frozen;

    LiveSegment(String name, int dimension, VectorSpace space, IndexOptions opts, LexicalFields lexicalFields) {
        this.name = name;
        this.space = space;
        this.lexical = new LiveLexicalIndex(lexicalFields);
        this.dimension = dimension;
        this.vectors = new LiveVectors(dimension);
        this.scores = new ExactScores(vectors::array, vectors::size, space.exact());
        this.buildScores = new Int8Scores(dimension, space.exact());
        // No refinement pass at the flush: a search per node, which on 20,000 e5 vectors cost 0.55-0.9 s of CPU in
        // GraphBuildBench and 3 s in the ANN bench's build (13.7 s with it, 10.7 s without), for recall@10 0.889
        // instead of 0.885 at beam 20 and the same from beam 40 up (session 18). Fresh merges still refine.
        this.builder = GraphInserter.newBuilder(buildScores, dimension, opts, false);
        this.inserter = new GraphInserter(builder, buildScores, opts.constructionBeam());
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Assigns the next ordinals to a document, one per passage in a row, and indexes its text and fields
     * (lexical side) once, at the first; the graph nodes are added by {@link #insert}. Single writer.
     * Returns the first ordinal.
     */
    int add(String id, List<PassageVector> passages, Document document) {
        int head = size;
        // Every vector prepared before any is appended: a failure leaves the segment as it was.
        List<float[]> prepared = new java.util.ArrayList<>(passages.size());
        for (PassageVector p : passages) {
            if (p.vector().length != dimension) {
                throw new IllegalArgumentException("vector dimension " + p.vector().length + ", segment " + name + " has " + dimension);
            }
            prepared.add(space.prepare(p.vector()));
        }
        for (int i = 0; i < passages.size(); i++) {
            PassageVector p = passages.get(i);
            int ordinal = head + i;
            if (vectors.append(prepared.get(i)) != ordinal || buildScores.append(prepared.get(i)) != ordinal) {
                throw new IllegalStateException("segment " + name + ": vector ordinals out of step with documents");
            }
            ids.put(ordinal, id);
            if (i > 0 || !p.isWhole()) spans.put(ordinal, new int[]{i, p.start(), p.end()});
        }
        sortedIds.add(id);
        lexical.add(head, document);
        size = head + passages.size();
        return head;
    }

    /** As {@link #add(String, List, Document)} for a document of one whole-text vector. */
    int add(String id, float[] vector, Document document) {
        return add(id, List.of(PassageVector.whole(vector)), document);
    }

    /** {passage index, start, end} of an ordinal, or null for a whole-text single vector (for the segment writer). */
    int[] spanOf(int ordinal) {
        return spans.get(ordinal);
    }

    @Override
    public int passageIndex(int ordinal) {
        int[] s = spans.get(ordinal);
        return s == null ? 0 : s[0];
    }

    @Override
    public int passageStart(int ordinal) {
        int[] s = spans.get(ordinal);
        return s == null ? 0 : s[1];
    }

    @Override
    public int passageEnd(int ordinal) {
        int[] s = spans.get(ordinal);
        return s == null ? PassageVector.WHOLE_END : s[2];
    }

    /**
     * Adds graph nodes for freshly added ordinals (in parallel). Tombstones stay out of the graph until the flush
     * (see {@link #markDeleted}).
     */
    void insert(int[] ordinals) {
        if (ordinals.length == 0) return;
        IntStream stream = IntStream.of(ordinals);
        if (ordinals.length > 8) stream = stream.parallel();
        stream.forEach(inserter::insert);
    }

    @Override
    public java.util.Iterator<String> idsAfter(String after) {
        return (after == null ? sortedIds : sortedIds.tailSet(after, false)).iterator();
    }

    @Override
    public String idAt(int ordinal) {
        return ids.get(ordinal);
    }

    @Override
    public float[] vectorAt(int ordinal) {
        float[] v = vectors.array(ordinal);
        if (v == null) throw new IllegalArgumentException("segment " + name + " has no ordinal " + ordinal);
        return v.clone();
    }

    /**
     * Tombstones an ordinal for searches (they skip it), never in the graph while nodes are still inserted: JVector
     * 4.0.2 links a new node only to nodes not marked deleted, so graph tombstones during inserts cut the graph. With
     * 10% of 150 nodes deleted between batches of 25, 8.5% of the live nodes (3,477 of 40,858 over 300 graphs) could
     * no longer be reached from the entry point; with tombstones kept out of the graph until {@link #removeDeletedNodes}
     * at the flush, none. A tombstoned node keeps routing searches until then, as in Lucene's HNSW.
     */
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

    @Override
    public int size() {
        return size;
    }

    @Override
    public int liveCount() {
        return size - deletedCount.get();
    }

    @Override
    public List<ScoredId> search(VectorFloat<?> query, int k, int searchBeam, FixedBitSet allowed, int allowedCount) {
        int n = size;
        if (n == 0 || (allowed != null && allowedCount == 0)) return List.of();
        // A small live segment is scanned exactly: cheaper than a graph walk, and its answer does not
        // depend on the insertion order that built the graph (a replayed log rebuilds it differently).
        // A frozen one too: its graph belongs to the flush, which removes tombstoned nodes from it.
        if (n <= Segment.EXACT_SCAN_MAX_DOCS || frozen) return exactScan(query, k, allowed);
        if (allowed != null && Segment.useExactScan(allowedCount, n)) return exactScan(query, k, allowed);
        float[] q = toArray(query);
        int beam = Math.max(searchBeam, k);
        if (allowed != null) beam = Segment.filteredBeam(beam, allowedCount, n);
        // The walk scores codes, as the graph was built; its whole beam is then rescored with the full vectors.
        SearchResult r = walks.get().search(inserter.view(), buildScores.scoresTo(q), beam, beam,
                allowed == null ? accept : Segment.accept(this, allowed));
        ScoreFunction.ExactScoreFunction exact = scores.scoresTo(q);
        TopScores top = new TopScores(k);
        for (SearchResult.NodeScore ns : r.getNodes()) {
            if (!deleted.get(ns.node)) top.offer(ns.node, exact.similarityTo(ns.node)); // deleted while the search ran
        }
        return top.toScoredIds(ids::get, space);
    }

    /** Exact top k among the allowed ordinals (null: all), skipping tombstones. */
    private List<ScoredId> exactScan(VectorFloat<?> query, int k, FixedBitSet allowed) {
        ScoreFunction.ExactScoreFunction score = scores.scoresTo(toArray(query));
        TopScores top = new TopScores(k);
        int limit = allowed == null ? size : Math.min(allowed.length(), size);
        for (int o = 0; o < limit; o++) {
            if (allowed != null) {
                o = allowed.nextSetBit(o);
                if (o < 0 || o >= limit) break;
            }
            if (deleted.get(o)) continue;
            if (vectors.array(o) != null) top.offer(o, score.similarityTo(o));
        }
        return top.toScoredIds(ids::get, space);
    }

    private static float[] toArray(VectorFloat<?> v) {
        float[] out = new float[v.length()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }

    @Override
    public LexicalView lexicalView() {
        return lexical.view(this);
    }

    /**
     * Stops graph mutation by writers and searches of the graph (a frozen segment is scanned exactly) before the
     * segment is written to disk; returns the builder to write from.
     */
    GraphIndexBuilder freeze() {
        frozen = true;
        return builder;
    }

    /**
     * For the flush of a frozen segment: marks the ordinals tombstoned so far deleted in the graph and removes them
     * (JVector reconnects their neighbours), so they are not written. Ordinals tombstoned later are written and
     * tombstoned in the written segment at the swap.
     */
    GraphIndexBuilder removeDeletedNodes() {
        if (!frozen) throw new IllegalStateException("segment " + name + " is not frozen");
        for (int o = 0; o < size; o++) if (deleted.get(o)) builder.markNodeDeleted(o);
        builder.cleanup();
        return builder;
    }

    LiveVectors vectors() {
        return vectors;
    }

    int dimension() {
        return dimension;
    }

    VectorSpace space() {
        return space;
    }

    @Override
    public void close() throws IOException {
        try (lexical; builder; inserter) { // closed after the walks, in reverse order
            walks.close();
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
