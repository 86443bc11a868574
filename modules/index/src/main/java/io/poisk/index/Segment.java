package io.poisk.index;

import io.github.jbellis.jvector.vector.types.VectorFloat;

import java.io.Closeable;
import java.util.List;

/** A searchable part of a collection: the live in-memory segment or an immutable on-disk one. */
interface Segment extends Closeable {

    /** A segment-local result: the document id at an ordinal and its cosine similarity to the query. */
    record ScoredId(String id, int ordinal, float cosine) {
    }

    String name();

    String idAt(int ordinal);

    /** Tombstones an ordinal; true when it was live until now. */
    boolean markDeleted(int ordinal);

    boolean isDeleted(int ordinal);

    /** Documents in the segment that are not tombstoned. */
    int liveCount();

    /** The best {@code k} live documents by cosine, best first. */
    List<ScoredId> search(VectorFloat<?> query, int k);

    /** JVector's similarity for COSINE is (1 + cos) / 2; hits report the cosine itself. */
    static float toCosine(float jvectorScore) {
        return 2f * jvectorScore - 1f;
    }
}
