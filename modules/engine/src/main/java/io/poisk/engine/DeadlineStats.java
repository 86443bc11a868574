package io.poisk.engine;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Searches (plain and live) stopped by their deadline, in total and by the pipeline stage they were in:
 * {@code GET /stats} → {@code deadlines_exceeded} and {@code deadlines_exceeded_in_stage}.
 */
public final class DeadlineStats {
    private final AtomicLong exceeded = new AtomicLong();
    private final Map<LiveQuery.Stage, AtomicLong> exceededIn = new EnumMap<>(LiveQuery.Stage.class);

    DeadlineStats() {
        for (LiveQuery.Stage s : LiveQuery.Stage.values()) exceededIn.put(s, new AtomicLong());
    }

    void exceeded(LiveQuery.Stage stage) {
        exceeded.incrementAndGet();
        exceededIn.get(stage).incrementAndGet();
    }

    public long exceededCount() {
        return exceeded.get();
    }

    /** The stage counts, by wire name ({@code lookup}, {@code embedding}, {@code index_search}, {@code rerank}, …). */
    public Map<String, Object> byStage() {
        Map<String, Object> m = new LinkedHashMap<>();
        exceededIn.forEach((stage, n) -> m.put(stage.wireName(), n.get()));
        return m;
    }
}
