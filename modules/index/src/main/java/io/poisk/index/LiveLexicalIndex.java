package io.poisk.index;

import io.poisk.core.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderManager;
import org.apache.lucene.store.ByteBuffersDirectory;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lexical side of the live segment: an in-memory Lucene index whose docs carry their segment
 * ordinal. Nothing is ever deleted here (the segment's tombstones hide replaced and deleted docs),
 * and nothing needs to be durable: the write-ahead log rebuilds it on replay, like the graph.
 * Searches refresh a near-real-time reader first, so a write that returned is visible.
 */
final class LiveLexicalIndex implements Closeable {
    private final LexicalFields fields;
    private final ByteBuffersDirectory dir = new ByteBuffersDirectory();
    private final IndexWriter writer;
    private final ReaderManager readers;
    /** Ordinals per Lucene leaf, by the leaf's core key; leaves are immutable (no Lucene deletes). */
    private final Map<Object, int[]> ordinals = new ConcurrentHashMap<>();

    LiveLexicalIndex(LexicalFields fields) {
        this.fields = fields;
        try {
            this.writer = new IndexWriter(dir, new IndexWriterConfig(fields.analyzer()).setRAMBufferSizeMB(32));
            this.readers = new ReaderManager(writer, false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create an in-memory Lucene index", e);
        }
    }

    /** Adds the document at its segment ordinal (single writer: the write path's applier). */
    void add(int ordinal, Document doc) {
        try {
            writer.addDocument(fields.toLucene(ordinal, doc));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    LexicalView view(Segment segment) {
        try {
            readers.maybeRefreshBlocking();
            DirectoryReader reader = readers.acquire();
            try {
                List<OrdinalLeaf> leaves = new ArrayList<>();
                Set<Object> current = new HashSet<>();
                for (LeafReaderContext ctx : reader.leaves()) {
                    LeafReader leaf = ctx.reader();
                    Object key = leaf.getCoreCacheHelper().getKey();
                    current.add(key);
                    int[] ords = ordinals.get(key);
                    if (ords == null) {
                        ords = OrdinalLeaf.readOrdinals(leaf);
                        ordinals.put(key, ords);
                    }
                    leaves.add(new OrdinalLeaf(leaf, ords, segment));
                }
                ordinals.keySet().retainAll(current); // leaves merged away since
                return new LexicalView() {
                    @Override
                    public List<OrdinalLeaf> leaves() {
                        return leaves;
                    }

                    @Override
                    public void close() {
                        try {
                            readers.release(reader);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                };
            } catch (IOException | RuntimeException e) {
                readers.release(reader);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the live lexical index", e);
        }
    }

    @Override
    public void close() throws IOException {
        readers.close();
        writer.rollback(); // closes without committing: the log is the durable copy
        dir.close();
    }
}
