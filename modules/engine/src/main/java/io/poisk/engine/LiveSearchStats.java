package io.poisk.engine;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of live searches (WebSocket and SSE), served as JSON by {@code GET /stats}. Every started
 * query ends exactly once as completed, failed or cancelled; a cancelled query also records the
 * pipeline stage it was stopped in; {@code index_searches_run} counts index searches that really ran,
 * so fewer of them than started queries shows that cancelled queries' work was dropped.
 */
public final class LiveSearchStats {
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong superseded = new AtomicLong();
    private final AtomicLong indexSearchesRun = new AtomicLong();
    private final Map<LiveQuery.Stage, AtomicLong> cancelledIn = new EnumMap<>(LiveQuery.Stage.class);

    LiveSearchStats() {
        for (LiveQuery.Stage s : LiveQuery.Stage.values()) cancelledIn.put(s, new AtomicLong());
    }

    void started() {
        started.incrementAndGet();
    }

    void completed() {
        completed.incrementAndGet();
    }

    void failed() {
        failed.incrementAndGet();
    }

    void cancelled(LiveQuery.Stage stage) {
        cancelled.incrementAndGet();
        cancelledIn.get(stage).incrementAndGet();
    }

    /** A newer query on the same connection replaced this one before it finished. */
    public void superseded() {
        superseded.incrementAndGet();
    }

    /**
     * A message that waited for a slot (every one taken) was replaced by a newer one before it started:
     * counted as started, cancelled in stage {@code waiting} and superseded, like any replaced query.
     */
    public void replacedWhileWaiting() {
        started();
        cancelled(LiveQuery.Stage.WAITING);
        superseded();
    }

    void indexSearchRun() {
        indexSearchesRun.incrementAndGet();
    }

    public long startedCount() {
        return started.get();
    }

    public long completedCount() {
        return completed.get();
    }

    public long cancelledCount() {
        return cancelled.get();
    }

    public long supersededCount() {
        return superseded.get();
    }

    public long indexSearchesRun() {
        return indexSearchesRun.get();
    }

    /** The JSON shape of {@code GET /stats} → {@code live_search}. */
    public Map<String, Object> snapshot() {
        Map<String, Object> stages = new LinkedHashMap<>();
        cancelledIn.forEach((stage, n) -> stages.put(stage.wireName(), n.get()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", started.get());
        m.put("completed", completed.get());
        m.put("failed", failed.get());
        m.put("cancelled", cancelled.get());
        m.put("superseded", superseded.get());
        m.put("cancelled_in_stage", stages);
        m.put("index_searches_run", indexSearchesRun.get());
        return m;
    }
}
