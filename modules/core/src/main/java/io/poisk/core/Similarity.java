package io.poisk.core;

import java.util.Locale;

/**
 * How a collection compares vectors. A collection with a model is always cosine (model vectors are
 * L2-normalised); a collection without one ({@code "model": null}) says which its vectors were made for.
 */
public enum Similarity {
    /** Angle only: vectors are scaled to unit length where they enter the index; a zero vector has no direction. */
    COSINE,
    /** Inner product of the vectors as given (length counts). */
    DOT,
    /** Squared L2 distance, reported as the similarity 1 / (1 + d²). */
    EUCLIDEAN;

    /** Largest dimension a collection without a model accepts (vectors this long are far past any embedding model). */
    public static final int MAX_DIMENSION = 8192;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The wire name's similarity, or a 400 naming the accepted ones. */
    public static Similarity parse(String s) {
        for (Similarity v : values()) if (v.wireName().equals(s)) return v;
        throw PoiskException.badRequest("unknown similarity '" + s + "': accepted are cosine, dot, euclidean");
    }
}
