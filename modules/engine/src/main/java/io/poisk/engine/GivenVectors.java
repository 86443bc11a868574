package io.poisk.engine;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.core.Similarity;

import java.util.List;

/**
 * The checks of vectors that users bring (documents' and queries' {@code vector}) against their collection,
 * made before anything is logged or searched: the collection's dimension, finite values, a squared length that
 * keeps every score finite, and a direction under cosine. A collection without a model needs one on every document.
 */
final class GivenVectors {
    /**
     * Largest squared length accepted: a dot product (|a||b|) or squared distance ((|a| + |b|)²) of two such
     * vectors stays a finite float, so no score becomes Infinity or NaN.
     */
    static final double MAX_SQUARED_LENGTH = Float.MAX_VALUE / 4.0;

    private GivenVectors() {
    }

    /** Every document's vector (where given) fits the collection; each has one where the collection has no model. */
    static void checkDocuments(CollectionSchema schema, List<Document> documents) {
        for (Document d : documents) {
            if (d.vector() == null) {
                if (!schema.hasModel()) {
                    throw new PoiskException(ErrorCode.INVALID_DOCUMENT, "document '" + d.id() + "' has no 'vector': collection '"
                            + schema.name() + "' has no model, so every document needs a 'vector' of " + schema.dimension() + " numbers");
                }
                continue;
            }
            check(schema, d.vector(), "the vector of document '" + d.id() + "'", ErrorCode.INVALID_DOCUMENT);
        }
    }

    /** A query's vector fits the collection. */
    static void checkQuery(CollectionSchema schema, float[] vector) {
        check(schema, vector, "the query 'vector'", ErrorCode.INVALID_QUERY);
    }

    private static void check(CollectionSchema schema, float[] v, String what, ErrorCode code) {
        if (v.length != schema.dimension()) {
            throw new PoiskException(code, what + " has " + v.length + " numbers; collection '" + schema.name() + "' takes vectors of "
                    + schema.dimension());
        }
        double squared = 0;
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new PoiskException(code, what + " holds " + v[i] + " at index " + i + "; vectors take finite numbers only");
            }
            squared += (double) v[i] * v[i];
        }
        if (squared > MAX_SQUARED_LENGTH) {
            throw new PoiskException(code, what + " is too long (squared length " + squared + ", at most " + MAX_SQUARED_LENGTH
                    + "): its scores would overflow a float; scale it down");
        }
        if (squared == 0 && schema.similarityFunction() == Similarity.COSINE) {
            throw new PoiskException(code, what + " is all zeros: under cosine similarity a zero vector has no direction and"
                    + " matches nothing");
        }
    }
}
