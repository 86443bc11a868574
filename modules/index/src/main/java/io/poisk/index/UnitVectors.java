package io.poisk.index;

/**
 * Scales vectors to unit length where they enter the index (documents and queries). Cosine similarity
 * ignores length, so this changes no ranking, and it lets every segment compare by dot product
 * ({@link VectorSpace#COSINE}). A zero vector stays zero: it is similar to nothing.
 */
final class UnitVectors {
    private UnitVectors() {
    }

    /** A unit-length copy of {@code v} ({@code v} itself is left alone). */
    static float[] normalized(float[] v) {
        double sum = 0;
        for (float x : v) sum += (double) x * x;
        float[] out = v.clone();
        if (sum == 0 || Math.abs(sum - 1.0) < 1e-6) return out;
        float scale = (float) (1.0 / Math.sqrt(sum));
        for (int i = 0; i < out.length; i++) out[i] *= scale;
        return out;
    }
}
