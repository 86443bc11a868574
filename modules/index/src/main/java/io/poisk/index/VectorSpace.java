package io.poisk.index;

import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.poisk.core.Similarity;

/**
 * One collection's way of comparing vectors in JVector terms: how a vector is prepared where it enters the
 * index (documents and queries), which similarity builds and rescores the graph, which one compares PQ codes
 * during traversal, and how JVector's score becomes the score a hit reports.
 */
enum VectorSpace {
    /**
     * Vectors are scaled to unit length ({@link UnitVectors}), where the dot product is the cosine at a third of
     * the arithmetic of JVector's COSINE. PQ codes are compared by EUCLIDEAN distance: between unit vectors it
     * orders neighbours as the cosine does (|q - x|² = 2 - 2 cos), and it costs one table lookup per subspace where
     * JVector's COSINE decoder takes two and a division per neighbour. At equal recall that was 1.11-1.29× the
     * queries/s of COSINE codes on 20 000 e5 vectors at recall 0.95 (three runs each way; docs/benchmarks.md,
     * session 12) and higher on Fashion-MNIST. DOT_PRODUCT codes are not an option: a PQ reconstruction is not unit
     * length, and on embeddings that sit in a narrow cone its length error outweighs the differences between
     * neighbours (recall@10 fell to 0.71 where COSINE codes kept 0.95, Fashion-MNIST 60k); the Euclidean distance
     * weighs that error by how far the neighbour lies from the query, so near neighbours are ranked on what matters.
     * Hits report the cosine. {@link #COSINE_CODES_PROPERTY} brings COSINE codes back, for A/B runs only.
     */
    COSINE(VectorSimilarityFunction.DOT_PRODUCT,
            Boolean.getBoolean(VectorSpace.COSINE_CODES_PROPERTY) ? VectorSimilarityFunction.COSINE : VectorSimilarityFunction.EUCLIDEAN),
    /**
     * Vectors as given (their length is part of the score); hits report the inner product. The graph is built by
     * inner product too: on 20 000 random 64-d vectors of lengths 0.5-2 that kept recall@10 at 0.94 where a graph
     * built by cosine reached 0.72 and one built by Euclidean distance 0.06 (OwnVectorsRecallBench). Its known
     * weakness: a short vector is rarely anyone's best neighbour, so some become hard to reach (recall@10 0.87-0.90
     * on segments of 120 random 32-d vectors, where a cosine-built graph found all); no transform of the vectors
     * to equal lengths is built.
     */
    DOT(VectorSimilarityFunction.DOT_PRODUCT, VectorSimilarityFunction.DOT_PRODUCT),
    /** Vectors as given; hits report JVector's similarity 1 / (1 + squared distance), in (0, 1], higher is nearer. */
    EUCLIDEAN(VectorSimilarityFunction.EUCLIDEAN, VectorSimilarityFunction.EUCLIDEAN);

    /** {@code -Dpoisk.pq.cosine_codes=true}: cosine collections compare PQ codes by COSINE, as before session 12 (A/B only). */
    static final String COSINE_CODES_PROPERTY = "poisk.pq.cosine_codes";

    /**
     * The threshold and the rerank floor every graph search passes: none. JVector keeps only results whose score is at
     * least the threshold and reranks only candidates whose approximate score reaches the floor, and a DOT_PRODUCT
     * score ((1 + dot) / 2) is negative for a vector that points away from the query by more than unit length: with
     * JVector's usual 0 such documents could never be found, however few others there were.
     */
    static final float NO_THRESHOLD = Float.NEGATIVE_INFINITY;
    static final float NO_RERANK_FLOOR = Float.NEGATIVE_INFINITY;

    private final VectorSimilarityFunction exact;
    private final VectorSimilarityFunction approximate;

    VectorSpace(VectorSimilarityFunction exact, VectorSimilarityFunction approximate) {
        this.exact = exact;
        this.approximate = approximate;
    }

    static VectorSpace of(Similarity similarity) {
        return switch (similarity) {
            case COSINE -> COSINE;
            case DOT -> DOT;
            case EUCLIDEAN -> EUCLIDEAN;
        };
    }

    static VectorSpace of(String similarity) {
        return of(Similarity.parse(similarity));
    }

    /** Builds the graph and scores full vectors (search and rescoring). */
    VectorSimilarityFunction exact() {
        return exact;
    }

    /** Compares fused PQ codes during the traversal of an on-disk segment. */
    VectorSimilarityFunction approximate() {
        return approximate;
    }

    /** The vector as the index keeps it (a copy for cosine, scaled to unit length; the vector itself otherwise). */
    float[] prepare(float[] v) {
        return this == COSINE ? UnitVectors.normalized(v) : v;
    }

    /** The score a hit reports for JVector's score of {@link #exact()}. */
    float score(float jvectorScore) {
        // DOT_PRODUCT scores (1 + dot) / 2: on unit vectors that is (1 + cos) / 2.
        return this == EUCLIDEAN ? jvectorScore : 2f * jvectorScore - 1f;
    }
}
