package io.poisk.index;

import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.apache.lucene.util.FixedBitSet;

import java.io.Closeable;
import java.util.List;

/** A searchable part of a collection: the live in-memory segment or an immutable on-disk one. */
interface Segment extends Closeable {

    /**
     * A segment-local result: the document id at an ordinal and its similarity to the query, as hits report it
     * ({@link VectorSpace#score}: the cosine, the inner product, or 1 / (1 + squared distance)).
     */
    record ScoredId(String id, int ordinal, float score) {
    }

    String name();

    String idAt(int ordinal);

    /** Whether the id at {@code ordinal} is {@code id} (a segment may compare without making a string). */
    default boolean hasId(int ordinal, String id) {
        return id.equals(idAt(ordinal));
    }

    /** The stored vector (unit length under cosine) of an ordinal, a copy: patches and unchanged-text upserts reuse it instead of re-embedding. */
    float[] vectorAt(int ordinal);

    /**
     * Passages: a document is one or more ordinals in a row, one per passage, in text order. Its first
     * ordinal (passage index 0, the "head") carries the lexical document; the others only a vector.
     */
    default int passageIndex(int ordinal) {
        return 0;
    }

    /** Start of the ordinal's passage in its document's text (characters). */
    default int passageStart(int ordinal) {
        return 0;
    }

    /** End of the ordinal's passage in its document's text, or {@link PassageVector#WHOLE_END}: to the end of the text. */
    default int passageEnd(int ordinal) {
        return PassageVector.WHOLE_END;
    }

    /** The ordinals of the document whose head is {@code head}: head, head + 1, ... head + count - 1. */
    default int passageCount(int head) {
        int n = 1;
        while (head + n < size() && passageIndex(head + n) == n) n++;
        return n;
    }

    /** The passage (vector and range) at an ordinal. */
    default PassageVector passageAt(int ordinal) {
        return new PassageVector(vectorAt(ordinal), passageStart(ordinal), passageEnd(ordinal));
    }

    /**
     * The ids of the segment's documents greater than {@code after} (null: all), ascending, each once, deleted
     * ones included: exports merge these (see {@link SegmentSet#idsAfter}).
     */
    java.util.Iterator<String> idsAfter(String after);

    /** Tombstones an ordinal; true when it was live until now. */
    boolean markDeleted(int ordinal);

    boolean isDeleted(int ordinal);

    /** Documents in the segment that are not tombstoned. */
    int liveCount();

    /** Ordinals in the segment, deleted ones included. */
    int size();

    /**
     * The best {@code k} live documents by the collection's similarity among the {@code allowed} ordinals (null: all), best
     * first, keeping {@code beam} candidates during the graph walk (the collection's search beam; raised to at least k).
     * Every segment gets the whole beam: splitting it by segment size, as Lucene splits its candidates over segments,
     * lost as much recall as it saved time (docs/benchmarks.md, session 9).
     * The filter is applied during graph traversal; when it leaves few documents, they are
     * scanned exactly instead, where a graph walk would have to visit most of the graph to find them.
     */
    List<ScoredId> search(VectorFloat<?> query, int k, int beam, FixedBitSet allowed, int allowedCount);

    /** The segment's lexical leaves for one search; close the view when done. */
    LexicalView lexicalView();

    /** Segments of at most this many ordinals, and filters allowing at most this many (or 1/20 of the segment), are scanned exactly. */
    int EXACT_SCAN_MAX_DOCS = 1024;

    static boolean useExactScan(int allowedCount, int size) {
        return allowedCount <= EXACT_SCAN_MAX_DOCS || allowedCount * 20L <= size;
    }

    /** A selective filter makes the graph walk pass over rejected nodes: widen the beam, up to 4x, to keep recall. */
    static int filteredBeam(int beam, int allowedCount, int size) {
        if (allowedCount >= size) return beam;
        double factor = Math.min(4.0, Math.max(1.0, 0.5 * size / Math.max(1, allowedCount)));
        return (int) Math.ceil(beam * factor);
    }

    /** A JVector acceptance of ordinals that are allowed (when a filter is given) and not tombstoned. */
    static io.github.jbellis.jvector.util.Bits accept(Segment s, FixedBitSet allowed) {
        if (allowed == null) return o -> !s.isDeleted(o);
        int n = allowed.length();
        return o -> o < n && allowed.get(o) && !s.isDeleted(o);
    }
}
