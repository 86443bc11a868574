package io.poisk.index;

import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.poisk.core.Document;
import io.poisk.core.DocumentCodec;
import io.poisk.core.ErrorCode;
import io.poisk.core.Hit;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchMode;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How one query runs over a collection's segments: the dense search of each segment (filtered, widened while one
 * document's passages crowd the others out), the lexical search over all of their Lucene leaves at once (BM25 with
 * the collection's statistics), fusion for hybrid, and the loading of the documents kept. {@link SegmentSet} picks
 * the segments and keeps them open for the duration.
 */
final class SegmentSearch {
    private SegmentSearch() {
    }

    /** A segment-local result of either list, before its document is loaded; {@code dense}: it carries a passage. */
    private record Candidate(Segment segment, int ordinal, String id, float score, boolean dense) {
    }

    /** A passage's range clamped to a text of {@code length} characters (null stays null). */
    static io.poisk.core.Passage clamp(io.poisk.core.Passage p, int length) {
        if (p == null) return null;
        int end = Math.min(p.end(), length);
        return new io.poisk.core.Passage(Math.min(p.start(), end), end);
    }

    /** Asks for more ordinals until a segment's answer holds k documents (a document has one ordinal per passage). */
    private static final int MAX_WIDENINGS = 6;

    /** The {@code k} best live documents over {@code segments} by vector, best first, loaded from {@code documents}. */
    static List<Hit> dense(List<Segment> segments, VectorFloat<?> query, int k, int beam, DocumentStore documents) {
        return denseCandidates(segments, query, k, beam, null, null, documents, SegmentSearchObserver.NONE);
    }

    /**
     * Runs the query's dense and/or lexical search over {@code segments}, filtered, and fuses them for hybrid
     * ({@code documents} null: ids and scores only, see {@link #load}). The caller keeps the segments open meanwhile.
     */
    static SearchResults search(List<Segment> segments, LexicalFields lexicalFields, SearchQuery q, VectorFloat<?> vector,
                                int beam, DocumentStore documents, SegmentSearchObserver observer) {
        List<LexicalView> views = new ArrayList<>();
        try {
            boolean needLexical = q.mode() != SearchMode.DENSE || q.filter() != null;
            if (needLexical) for (Segment s : segments) views.add(s.lexicalView());
            Query filter = q.filter() == null ? null : FilterQueries.toQuery(q.filter());
            List<Hit> dense = q.mode() == SearchMode.LEXICAL ? List.of()
                    : denseCandidates(segments, vector, q.perListDepth(), beam, filter, views, documents, observer);
            List<Hit> lexical = q.mode() == SearchMode.DENSE ? List.of() : lexicalSearch(lexicalFields, views, q, filter, documents);
            List<Hit> hits = switch (q.mode()) {
                case DENSE -> dense.subList(0, Math.min(q.depth(), dense.size()));
                case LEXICAL -> lexical.subList(0, Math.min(q.depth(), lexical.size()));
                case HYBRID -> RankFusion.fuse(dense, lexical, q.fusion(), q.depth());
            };
            return new SearchResults(hits, dense, lexical);
        } catch (IndexSearcher.TooManyClauses e) { // the request limits refuse such a query first: a backstop
            throw new PoiskException(ErrorCode.INVALID_QUERY, "the query and filter need more than "
                    + IndexSearcher.getMaxClauseCount() + " index clauses; use fewer words or filter conditions", e);
        } catch (IOException e) {
            throw new UncheckedIOException("lexical search failed", e);
        } finally {
            for (LexicalView v : views) v.close();
        }
    }

    /** The kinds {@link SegmentSearchObserver} names. */
    private static String kindOf(Segment s) {
        if (s instanceof DiskSegment d) return d.hasFusedPq() ? "disk_pq" : "disk";
        return "live";
    }

    /**
     * {@code -Dpoisk.search.live_beam_divisor=1} gives the live segment the whole beam beside PQ segments, as before
     * session 21 (A/B runs only).
     */
    static final String LIVE_BEAM_DIVISOR_PROPERTY = "poisk.search.live_beam_divisor";
    private static final int LIVE_BEAM_DIVISOR = Math.max(1, Integer.getInteger(LIVE_BEAM_DIVISOR_PROPERTY, 2));

    /**
     * The beam the live segment walks with beside {@code segments}. The beam asked for is what a PQ segment needs for
     * its recall; the live segment walks one-byte codes, which rank nearly as the full vectors do, and half the beam
     * gives it about the recall a PQ segment gets with all of it (Javadoc e5 vectors: 0.962 at beam 40 on 14,000 live
     * ones, 0.966 at beam 80 on a 20,000-vector PQ segment). It was a third of a served query's CPU at 200,000
     * vectors with 7% of them. Without a PQ segment beside it, its recall is the collection's: it keeps the beam.
     */
    static int liveBeam(List<Segment> segments, int beam) {
        for (Segment s : segments) {
            if (s instanceof DiskSegment d && d.hasFusedPq()) return Math.max(1, beam / LIVE_BEAM_DIVISOR);
        }
        return beam;
    }

    private static List<Hit> denseCandidates(List<Segment> segments, VectorFloat<?> query, int k, int beam, Query filter,
                                             List<LexicalView> views, DocumentStore documents, SegmentSearchObserver observer) {
        List<Candidate> all = new ArrayList<>();
        int liveBeam = liveBeam(segments, beam);
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            FixedBitSet allowed = null;
            int count = 0;
            if (filter != null) {
                allowed = allowedOrdinals(s, views.get(i), filter);
                count = allowed.cardinality();
            }
            if (allowed != null) count = widenToPassages(s, allowed);
            long started = System.nanoTime();
            for (Segment.ScoredId hit : searchDocuments(s, query, k, s instanceof LiveSegment ? liveBeam : beam, allowed, count)) {
                all.add(new Candidate(s, hit.ordinal(), hit.id(), hit.score(), true));
            }
            observer.searched(kindOf(s), System.nanoTime() - started);
        }
        return load(all, k, documents);
    }

    /**
     * The best ordinals of a segment holding at least {@code k} distinct documents (or all it has): passages of
     * one document crowd each other, so the request doubles while they do, at most {@link #MAX_WIDENINGS} times.
     * A segment of one vector per document answers at the first try.
     */
    private static List<Segment.ScoredId> searchDocuments(Segment s, VectorFloat<?> query, int k, int beam, FixedBitSet allowed,
                                                          int count) {
        int asked = k;
        List<Segment.ScoredId> found = s.search(query, asked, beam, allowed, count);
        for (int i = 0; i < MAX_WIDENINGS && found.size() >= asked && asked < s.size(); i++) {
            Set<String> docs = new HashSet<>();
            for (Segment.ScoredId h : found) docs.add(h.id());
            if (docs.size() >= k) break;
            asked = (int) Math.min(s.size(), 2L * asked);
            found = s.search(query, asked, beam, allowed, count);
        }
        return found;
    }

    /** Lets a filter that allows a document's first ordinal (the lexical doc) allow all its passages; returns the count. */
    private static int widenToPassages(Segment s, FixedBitSet allowed) {
        int limit = Math.min(allowed.length(), s.size());
        List<Integer> heads = new ArrayList<>();
        for (int o = allowed.nextSetBit(0); o >= 0 && o < limit; o = o + 1 < limit ? allowed.nextSetBit(o + 1) : -1) heads.add(o);
        for (int head : heads) {
            int n = s.passageCount(head);
            for (int i = 1; i < n && head + i < allowed.length(); i++) allowed.set(head + i);
        }
        return allowed.cardinality();
    }

    /** The live ordinals of a segment that pass the filter, evaluated on its Lucene leaves. */
    static FixedBitSet allowedOrdinals(Segment s, LexicalView view, Query filter) {
        FixedBitSet bits = new FixedBitSet(Math.max(1, s.size()));
        try {
            for (OrdinalLeaf leaf : view.leaves()) {
                IndexSearcher searcher = new IndexSearcher(leaf);
                searcher.setQueryCache(null);
                Weight w = searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
                Scorer scorer = w.scorer(searcher.getIndexReader().leaves().getFirst());
                if (scorer == null) continue;
                Bits live = leaf.getLiveDocs();
                DocIdSetIterator it = scorer.iterator();
                for (int d = it.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = it.nextDoc()) {
                    int o = leaf.ordinal(d);
                    if (live.get(d) && o < bits.length()) bits.set(o);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("filter evaluation failed in segment " + s.name(), e);
        }
        return bits;
    }

    private static List<Hit> lexicalSearch(LexicalFields lexicalFields, List<LexicalView> views, SearchQuery q, Query filter, DocumentStore documents) throws IOException {
        Query text = lexicalFields.textQuery(q.text(), q.prefixLastTerm());
        if (text == null) return List.of(); // nothing searchable in the text (only stop words or punctuation)
        List<OrdinalLeaf> leaves = new ArrayList<>();
        for (LexicalView v : views) leaves.addAll(v.leaves());
        if (leaves.isEmpty()) return List.of();
        Query full = filter == null ? text : new BooleanQuery.Builder()
                .add(text, BooleanClause.Occur.MUST).add(filter, BooleanClause.Occur.FILTER).build();
        // One reader over every segment's leaves: BM25 statistics are the collection's, not a segment's.
        try (MultiReader all = new MultiReader(leaves.toArray(new IndexReader[0]), false)) {
            IndexSearcher searcher = new IndexSearcher(all);
            searcher.setQueryCache(null);
            TopDocs top = searcher.search(full, q.perListDepth());
            List<LeafReaderContext> contexts = all.leaves();
            List<Candidate> found = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc sd : top.scoreDocs) {
                int i = ReaderUtil.subIndex(sd.doc, contexts);
                OrdinalLeaf leaf = leaves.get(i);
                int ordinal = leaf.ordinal(sd.doc - contexts.get(i).docBase);
                found.add(new Candidate(leaf.segment(), ordinal, leaf.segment().idAt(ordinal), sd.score, false));
            }
            return load(found, q.perListDepth(), documents);
        }
    }

    /**
     * Best first, one per id, without documents deleted meanwhile, at most {@code k}, with their documents;
     * {@code documents} null: ids and scores only, no document read (the caller loads the ones it keeps).
     */
    private static List<Hit> load(List<Candidate> all, int k, DocumentStore documents) {
        List<Candidate> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingDouble((Candidate c) -> c.score()).reversed());
        List<Hit> hits = new ArrayList<>(Math.min(k, sorted.size()));
        Set<String> seen = new HashSet<>();
        for (Candidate c : sorted) {
            if (hits.size() == k) break;
            if (c.id() == null || c.segment().isDeleted(c.ordinal()) || !seen.add(c.id())) continue;
            // The first candidate of a document is its best passage: a dense hit reports where it lies.
            io.poisk.core.Passage passage = null;
            if (c.dense()) {
                int end = c.segment().passageEnd(c.ordinal());
                passage = new io.poisk.core.Passage(c.segment().passageStart(c.ordinal()), end == PassageVector.WHOLE_END ? Integer.MAX_VALUE : end);
            }
            if (documents == null) {
                hits.add(new Hit(c.id(), c.score(), null, null, passage));
                continue;
            }
            Optional<byte[]> bytes = documents.get(c.id());
            if (bytes.isEmpty()) continue; // deleted while the search ran
            Document d = DocumentCodec.decode(bytes.get());
            hits.add(new Hit(d.id(), c.score(), d.text(), d.fields(), clamp(passage, d.text().length())));
        }
        return hits;
    }
}
