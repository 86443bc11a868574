package io.poisk.eval.bench;

import org.apache.lucene.util.VectorUtil;

import java.util.Arrays;
import java.util.stream.IntStream;

/** Ground truth: the exact top-k base vectors (dot product of unit vectors = cosine) of every query, by brute force. */
final class ExactNeighbours {
    private ExactNeighbours() {
    }

    /** Row q holds the indexes of the k nearest base vectors of query q, best first. */
    static int[][] topK(float[][] base, float[][] queries, int k) {
        int[][] out = new int[queries.length][];
        // Parallel: this is set-up, not measured; VectorUtil uses the Vector API when it is available.
        IntStream.range(0, queries.length).parallel().forEach(q -> out[q] = topK(base, queries[q], k));
        return out;
    }

    static int[] topK(float[][] base, float[] query, int k) {
        int[] best = new int[k];
        float[] score = new float[k];
        Arrays.fill(score, Float.NEGATIVE_INFINITY);
        Arrays.fill(best, -1);
        for (int i = 0; i < base.length; i++) {
            float s = VectorUtil.dotProduct(base[i], query);
            if (s <= score[k - 1]) continue;
            int p = k - 1;
            while (p > 0 && score[p - 1] < s) {
                score[p] = score[p - 1];
                best[p] = best[p - 1];
                p--;
            }
            score[p] = s;
            best[p] = i;
        }
        return best;
    }

    /** Fraction of the true top-k found in {@code found} (the first k entries of it). */
    static double recall(int[] truth, int[] found, int k) {
        int hits = 0;
        for (int i = 0; i < Math.min(k, found.length); i++) {
            for (int t = 0; t < k; t++) {
                if (truth[t] == found[i]) {
                    hits++;
                    break;
                }
            }
        }
        return hits / (double) k;
    }
}
