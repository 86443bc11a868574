package io.poisk.index;

import io.poisk.core.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The lexical side of an on-disk segment: a Lucene index in {@code <segment>/lexical/}, written once
 * inside the segment's temporary folder (so it is renamed into place with the graph, or not at all)
 * and then only read. Deletions are the segment's tombstones, applied through {@link OrdinalLeaf}.
 */
final class DiskLexicalIndex implements Closeable {
    static final String DIR = "lexical";

    private final Directory dir;
    private final DirectoryReader reader;
    private final List<LeafReaderContext> leaves;
    private final List<int[]> ordinals = new ArrayList<>();

    private DiskLexicalIndex(Directory dir, DirectoryReader reader) throws IOException {
        this.dir = dir;
        this.reader = reader;
        this.leaves = reader.leaves();
        for (LeafReaderContext ctx : leaves) ordinals.add(OrdinalLeaf.readOrdinals(ctx.reader()));
    }

    /**
     * Writes the lexical index of a segment: ordinal {@code o} gets the document {@code documentOf(ids[o])}
     * (null: already deleted, indexed empty), when {@code isHead(o)}: a document of several passages is indexed
     * once, at its first ordinal. Committed (fsynced) before return; one Lucene segment.
     */
    static void write(Path segmentDir, String[] ids, java.util.function.IntPredicate isHead, Function<String, Document> documentOf,
                      LexicalFields fields) throws IOException {
        Path target = segmentDir.resolve(DIR);
        Files.createDirectories(target);
        try (Directory d = FSDirectory.open(target);
             IndexWriter w = new IndexWriter(d, new IndexWriterConfig(fields.analyzer())
                     .setOpenMode(IndexWriterConfig.OpenMode.CREATE).setRAMBufferSizeMB(64))) {
            for (int o = 0; o < ids.length; o++) if (isHead.test(o)) w.addDocument(fields.toLucene(o, documentOf.apply(ids[o])));
            w.forceMerge(1);
            w.commit();
        }
    }

    /** Opens the segment's lexical index; a segment written before lexical indexing existed has none (null). */
    static DiskLexicalIndex open(Path segmentDir, int expectedDocs) throws IOException {
        Path p = segmentDir.resolve(DIR);
        if (!Files.isDirectory(p)) return null;
        Directory d = FSDirectory.open(p);
        try {
            DirectoryReader r = DirectoryReader.open(d);
            if (r.maxDoc() != expectedDocs) {
                r.close();
                throw new IOException("lexical index of " + segmentDir + " has " + r.maxDoc() + " docs but the segment " + expectedDocs);
            }
            return new DiskLexicalIndex(d, r);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
    }

    LexicalView view(Segment segment) {
        List<OrdinalLeaf> out = new ArrayList<>(leaves.size());
        for (int i = 0; i < leaves.size(); i++) out.add(new OrdinalLeaf(leaves.get(i).reader(), ordinals.get(i), segment));
        return new LexicalView() {
            @Override
            public List<OrdinalLeaf> leaves() {
                return out;
            }

            @Override
            public void close() {
                // the reader lives as long as the segment; searches hold the segment set's read lock
            }
        };
    }

    @Override
    public void close() throws IOException {
        reader.close();
        dir.close();
    }
}
