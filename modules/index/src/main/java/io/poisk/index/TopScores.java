package io.poisk.index;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.IntFunction;

/** The best {@code k} (ordinal, JVector similarity) pairs seen by an exact scan or the rescoring of a beam. */
final class TopScores {
    private record Entry(int ordinal, float score) {
    }

    private final int k;
    private final PriorityQueue<Entry> worstFirst;

    TopScores(int k) {
        this.k = k;
        this.worstFirst = new PriorityQueue<>(Math.max(1, k), (a, b) -> Float.compare(a.score, b.score));
    }

    void offer(int ordinal, float score) {
        if (worstFirst.size() < k) {
            worstFirst.add(new Entry(ordinal, score));
        } else if (k > 0 && score > worstFirst.peek().score) {
            worstFirst.poll();
            worstFirst.add(new Entry(ordinal, score));
        }
    }

    /** Best first, with the scores hits report in {@code space}. */
    List<Segment.ScoredId> toScoredIds(IntFunction<String> idOf, VectorSpace space) {
        List<Entry> all = new ArrayList<>(worstFirst);
        all.sort((a, b) -> Float.compare(b.score, a.score));
        List<Segment.ScoredId> out = new ArrayList<>(all.size());
        for (Entry e : all) out.add(new Segment.ScoredId(idOf.apply(e.ordinal), e.ordinal, space.score(e.score)));
        return out;
    }
}
