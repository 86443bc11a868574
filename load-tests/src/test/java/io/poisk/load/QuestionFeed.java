package io.poisk.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * XQuAD-ru questions as a Gatling feeder ({@code query}, {@code paragraphId}), in a fixed pseudo-random order
 * so every run asks the same sequence.
 */
final class QuestionFeed {
    private static final long SEED = 20_240_601L;

    private QuestionFeed() {
    }

    /** Drawn with replacement: texts recur as in real logs, so a query-embedding cache hits. */
    static Iterator<Map<String, Object>> repeating(List<XquadCorpus.Question> questions) {
        SplittableRandom random = new SplittableRandom(SEED);
        return Stream.generate(() -> {
            XquadCorpus.Question q = questions.get(random.nextInt(questions.size()));
            return entry(q, q.text());
        }).iterator();
    }

    /**
     * No text twice: shuffled passes over every question; pass p (counted from {@code passOffset + 1}) suffixes its
     * texts with {@code " (p)"} unless it is pass 1. Runs against one server with passOffsets far enough apart (a
     * pass is 1190 searches) never send a text another run sent, so every query is inferred.
     */
    static Iterator<Map<String, Object>> unique(List<XquadCorpus.Question> questions, int passOffset) {
        SplittableRandom random = new SplittableRandom(SEED);
        List<XquadCorpus.Question> order = new ArrayList<>(questions);
        int[] next = {order.size()};
        int[] pass = {passOffset};
        return Stream.generate(() -> {
            if (next[0] == order.size()) {
                for (int i = order.size() - 1; i > 0; i--) Collections.swap(order, i, random.nextInt(i + 1));
                next[0] = 0;
                pass[0]++;
            }
            XquadCorpus.Question q = order.get(next[0]++);
            return entry(q, pass[0] == 1 ? q.text() : q.text() + " (" + pass[0] + ")");
        }).iterator();
    }

    private static Map<String, Object> entry(XquadCorpus.Question q, String text) {
        return Map.of("query", text, "paragraphId", q.paragraphId());
    }
}
