package io.poisk.index;

import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.util.Bits;

import java.io.IOException;

/**
 * A Lucene leaf of a segment's lexical index, with the segment ordinal of each Lucene doc, seen
 * through the segment's tombstones: the vector side's deletions are the lexical side's live docs,
 * so the two can never disagree about what is deleted.
 */
final class OrdinalLeaf extends FilterLeafReader {
    private final Segment segment;
    private final int[] docToOrdinal;
    private final Bits live;

    OrdinalLeaf(LeafReader in, int[] docToOrdinal, Segment segment) {
        super(in);
        this.segment = segment;
        this.docToOrdinal = docToOrdinal;
        Bits inner = in.getLiveDocs();
        int max = in.maxDoc();
        this.live = new Bits() {
            @Override
            public boolean get(int doc) {
                return (inner == null || inner.get(doc)) && !segment.isDeleted(docToOrdinal[doc]);
            }

            @Override
            public int length() {
                return max;
            }
        };
    }

    /** Reads the ordinal of every doc of a leaf from its {@code _ord} doc values. */
    static int[] readOrdinals(LeafReader leaf) throws IOException {
        int[] out = new int[leaf.maxDoc()];
        NumericDocValues dv = leaf.getNumericDocValues(LexicalFields.ORDINAL);
        for (int d = 0; d < out.length; d++) {
            if (dv == null || !dv.advanceExact(d)) throw new IOException("lexical doc " + d + " has no ordinal");
            out[d] = (int) dv.longValue();
        }
        return out;
    }

    Segment segment() {
        return segment;
    }

    int ordinal(int doc) {
        return docToOrdinal[doc];
    }

    @Override
    public Bits getLiveDocs() {
        return live;
    }

    @Override
    public CacheHelper getCoreCacheHelper() {
        return null; // liveDocs differ from the wrapped leaf's: nothing may be cached under its key
    }

    @Override
    public CacheHelper getReaderCacheHelper() {
        return null;
    }
}
