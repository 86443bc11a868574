package io.poisk.eval.bench;

import java.io.IOException;
import java.nio.file.Path;

/** One approximate-nearest-neighbour engine under test: build once, then search at several beam widths. */
interface AnnSubject extends AutoCloseable {

    String name();

    /** Indexes the vectors (row i gets id i) so that they end up in one on-disk segment, ready to search. */
    void build(float[][] base) throws IOException;

    /** Sets the search beam (candidates kept while searching the graph) for the following searches. */
    void useBeam(int beam) throws IOException;

    /** Indexes of the (approximately) k nearest base vectors, best first. */
    int[] search(float[] query, int k) throws IOException;

    /** The folder the index lives in. */
    Path directory();

    /** Bytes of the index on disk. */
    default long diskBytes() throws IOException {
        return DirectorySize.of(directory());
    }

    /** Bytes of the vector index alone (graph, vectors, codes), without stores of documents the peer does not keep. */
    default long indexBytes() throws IOException {
        return diskBytes();
    }

    @Override
    void close() throws IOException;
}
