package io.poisk.eval.bench;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The peer: Lucene HNSW ({@link Lucene99HnswVectorsFormat}, full float vectors, exact scores) in one
 * force-merged segment, searched on one thread with {@code KnnFloatVectorQuery(field, q, numCandidates)}
 * keeping the top k, the way luceneutil's KNN benchmark uses a wider candidate list ("fanout").
 *
 * <p>{@link #served}: the same vectors as an application would leave them in Lucene, for comparison with a served
 * Poisk collection: IndexWriter's defaults (a 16 MB buffer, the tiered merge policy and its background merges),
 * committed without a forced merge, so a query searches several segments.
 */
final class LuceneHnswSubject implements AnnSubject {
    private static final String FIELD = "vector";
    private static final String ORD = "ord";

    private final Path dir;
    private final int maxConn;
    private final int beamWidth;
    private Directory directory;
    private DirectoryReader reader;
    private IndexSearcher searcher;
    private int beam = 10;
    private final boolean served;
    /** Row of each doc id where the segments' doc ids are not the rows ({@link #served}); null: the doc id is the row. */
    private int[] rows;

    /** {@code maxConn} is Lucene's M: upper layers keep M neighbours, the bottom layer 2M. */
    LuceneHnswSubject(Path dir, int maxConn, int beamWidth) {
        this(dir, maxConn, beamWidth, false);
    }

    private LuceneHnswSubject(Path dir, int maxConn, int beamWidth, boolean served) {
        this.dir = dir;
        this.maxConn = maxConn;
        this.beamWidth = beamWidth;
        this.served = served;
    }

    /** Lucene as IndexWriter's defaults leave the index: several segments, no forced merge. */
    static LuceneHnswSubject served(Path dir, int maxConn, int beamWidth) {
        return new LuceneHnswSubject(dir, maxConn, beamWidth, true);
    }

    @Override
    public String name() {
        return served ? "lucene-served" : "lucene";
    }

    /** Segments in the index (after {@link #build}). */
    int segmentCount() {
        return reader.leaves().size();
    }

    @Override
    public void build(float[][] base) throws IOException {
        KnnVectorsFormat format = new Lucene99HnswVectorsFormat(maxConn, beamWidth);
        IndexWriterConfig config = new IndexWriterConfig()
                .setCodec(new Lucene103Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return format;
                    }
                })
                .setUseCompoundFile(false);
        if (!served) config.setRAMBufferSizeMB(1_500);
        directory = FSDirectory.open(dir);
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            for (int i = 0; i < base.length; i++) {
                Document doc = new Document();
                doc.add(new KnnFloatVectorField(FIELD, base[i], VectorSimilarityFunction.DOT_PRODUCT));
                doc.add(new NumericDocValuesField(ORD, i));
                writer.addDocument(doc);
            }
            if (!served) writer.forceMerge(1);
            writer.commit();
        }
        reader = DirectoryReader.open(directory);
        if (served) rows = rowsOfDocIds(base.length);
        else checkDocIdsAreRowNumbers(base.length);
        searcher = new IndexSearcher(reader); // no executor: one search thread
        searcher.setQueryCache(null);
    }

    /** Search maps doc ids straight to rows; one segment written by one thread keeps them in insertion order. */
    private void checkDocIdsAreRowNumbers(int count) throws IOException {
        if (reader.leaves().size() != 1) throw new IllegalStateException("expected one segment, got " + reader.leaves().size());
        LeafReader leaf = reader.leaves().get(0).reader();
        NumericDocValues ords = leaf.getNumericDocValues(ORD);
        if (leaf.maxDoc() != count) throw new IllegalStateException("expected " + count + " docs, got " + leaf.maxDoc());
        for (int d = 0; d < count; d++) {
            if (!ords.advanceExact(d) || ords.longValue() != d) {
                throw new IllegalStateException("doc " + d + " is not row " + d);
            }
        }
    }

    /** The row each doc id holds, from the ord doc values: merges reorder documents across segments. */
    private int[] rowsOfDocIds(int count) throws IOException {
        int[] out = new int[reader.maxDoc()];
        if (reader.maxDoc() != count) throw new IllegalStateException("expected " + count + " docs, got " + reader.maxDoc());
        for (var context : reader.leaves()) {
            NumericDocValues ords = context.reader().getNumericDocValues(ORD);
            for (int d = 0; d < context.reader().maxDoc(); d++) {
                if (!ords.advanceExact(d)) throw new IllegalStateException("doc " + (context.docBase + d) + " has no row");
                out[context.docBase + d] = (int) ords.longValue();
            }
        }
        return out;
    }

    @Override
    public void useBeam(int beam) {
        this.beam = beam;
    }

    @Override
    public int[] search(float[] query, int k) throws IOException {
        TopDocs top = searcher.search(new KnnFloatVectorQuery(FIELD, query, Math.max(k, beam)), k);
        ScoreDoc[] docs = top.scoreDocs;
        int[] out = new int[docs.length];
        for (int i = 0; i < docs.length; i++) out[i] = rows == null ? docs[i].doc : rows[docs[i].doc];
        return out;
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        if (reader != null) reader.close();
        if (directory != null) directory.close();
    }
}
