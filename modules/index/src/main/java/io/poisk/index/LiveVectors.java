package io.poisk.index;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.types.VectorFloat;

/**
 * The live segment's vectors by ordinal, for its graph builder, its searches and its flush. Append-only, in pages
 * of {@value #PAGE} references: a lookup is two array loads, where a {@code Map<Integer, VectorFloat>} cost a
 * hash probe and often an {@code Integer} per scored neighbour (a JFR profile of a served search found it at 9%
 * of the whole query, and graph insertion scores through the same lookup).
 *
 * <p>Each vector is kept as its float array, which {@link ExactScores} computes on, and as JVector's view of that same
 * array ({@code createFloatVector} wraps it), which JVector's writer reads.
 *
 * <p>One writer ({@link #append}); readers never lock. A reader only asks for ordinals it learned of after they
 * were appended (from {@link #size} or from the graph, whose insertion of a node follows its append), so the
 * volatile writes of {@code size} and {@code pages} publish the vectors to it.
 */
final class LiveVectors implements RandomAccessVectorValues {
    private static final int PAGE_BITS = 10;
    private static final int PAGE = 1 << PAGE_BITS;

    private final int dimension;
    private volatile VectorFloat<?>[][] pages = new VectorFloat<?>[0][];
    private volatile float[][][] arrayPages = new float[0][][];
    private volatile int size;

    LiveVectors(int dimension) {
        this.dimension = dimension;
    }

    /** Stores the vector of the next ordinal, which it returns; the array is kept, not copied. Single writer. */
    int append(float[] vector) {
        if (vector.length != dimension) throw new IllegalArgumentException("dimension " + vector.length + ", expected " + dimension);
        int ordinal = size;
        VectorFloat<?>[][] p = pages;
        float[][][] a = arrayPages;
        int page = ordinal >>> PAGE_BITS;
        if (page == p.length) {
            p = java.util.Arrays.copyOf(p, p.length + 1);
            p[page] = new VectorFloat<?>[PAGE];
            a = java.util.Arrays.copyOf(a, a.length + 1);
            a[page] = new float[PAGE][];
            arrayPages = a;
            pages = p;
        }
        p[page][ordinal & (PAGE - 1)] = LiveSegment.VTS.createFloatVector(vector);
        a[page][ordinal & (PAGE - 1)] = vector;
        size = ordinal + 1;
        return ordinal;
    }

    /** The array of an appended ordinal (not to be modified); null for one not appended yet. */
    float[] array(int ordinal) {
        float[][][] a = arrayPages;
        int page = ordinal >>> PAGE_BITS;
        return page < a.length ? a[page][ordinal & (PAGE - 1)] : null;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    /** The vector of an appended ordinal; null for one not appended yet. */
    @Override
    public VectorFloat<?> getVector(int ordinal) {
        VectorFloat<?>[][] p = pages;
        int page = ordinal >>> PAGE_BITS;
        return page < p.length ? p[page][ordinal & (PAGE - 1)] : null;
    }

    @Override
    public boolean isValueShared() {
        return false;
    }

    @Override
    public RandomAccessVectorValues copy() {
        return this;
    }
}
