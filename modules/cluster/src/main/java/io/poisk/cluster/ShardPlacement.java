package io.poisk.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which node holds which shard copy, cluster-wide: a Hazelcast map (Vert.x shared data) keyed
 * {@code <collection>/<shard>/<node>}, each entry {@code {"collection","shard","node","group","offset","state",
 * "documents","segments"}} with state {@code building} until the copy caught up with the partition's end as seen at
 * assignment, then {@code ready}, and the copy's counts when it published (-1: not known). The nodes that remain
 * remove a departed member's entries, and readers list live members' only.
 */
final class ShardPlacement {
    private static final Logger LOG = LoggerFactory.getLogger(ShardPlacement.class);
    static final String MAP = "poisk.shards.placement";
    static final String READY = "ready";
    static final String BUILDING = "building";

    static final long CACHE_MS = 200;

    private final ClusterBus bus;
    private volatile Cached cached;

    ShardPlacement(ClusterBus bus) {
        this.bus = bus;
        bus.onMemberRemoved(id -> removeWhere(e -> id.equals(e.getString("node"))));
    }

    String nodeId() {
        return bus.nodeId();
    }

    /** Never throws: a node leaving the cluster (Hazelcast stopped) fails the future instead. */
    Future<Void> publish(String collection, int shard, int group, long offset, String state, long documents, int segments) {
        try {
            return put(collection, shard, group, offset, state, documents, segments);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private Future<Void> put(String collection, int shard, int group, long offset, String state, long documents, int segments) {
        JsonObject entry = new JsonObject().put("collection", collection).put("shard", shard).put("node", bus.nodeId())
                .put("group", group).put("offset", offset).put("state", state).put("documents", documents).put("segments", segments);
        return map().compose(m -> m.put(key(collection, shard, bus.nodeId()), entry));
    }

    /** Runs {@code action} on this node's Vert.x after {@code delayMs} (a throttled publication's trailing edge). */
    void later(long delayMs, Runnable action) {
        bus.vertx().setTimer(delayMs, t -> action.run());
    }

    Future<Void> remove(String collection, int shard) {
        try {
            String key = key(collection, shard, bus.nodeId());
            return map().compose(m -> m.remove(key)).mapEmpty();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * Every entry of {@code collection} on a live member, by shard then node. The map's values are read at most every
     * {@value #CACHE_MS} ms (each read asks every member); live members are checked on every call, so a departed
     * node's copies vanish at once, and a read of a copy that moved meanwhile fails over to the next replica.
     */
    Future<List<JsonObject>> of(String collection) {
        Set<String> live = bus.members().stream().map(m -> m.getUuid().toString()).collect(Collectors.toSet());
        return values().map(all -> all.stream()
                .filter(e -> collection.equals(e.getString("collection")) && live.contains(e.getString("node")))
                .sorted(Comparator.comparing((JsonObject e) -> e.getInteger("shard")).thenComparing(e -> e.getString("node")))
                .toList());
    }

    /**
     * {@code {documents, segments}} of {@code collection}: per shard, the counts of its live copy that applied the most
     * (as of that copy's last publication, at most about a second behind it); a shard with no live copy adds nothing.
     */
    Future<long[]> totals(String collection) {
        return of(collection).map(entries -> {
            java.util.Map<Integer, JsonObject> best = new java.util.HashMap<>();
            for (JsonObject e : entries) {
                if (e.getLong("documents", -1L) < 0) continue;
                best.merge(e.getInteger("shard"), e, (a, b) -> b.getLong("offset") > a.getLong("offset") ? b : a);
            }
            long documents = 0, segments = 0;
            for (JsonObject e : best.values()) {
                documents += e.getLong("documents");
                segments += e.getInteger("segments", 0);
            }
            return new long[] {documents, segments};
        });
    }

    private Future<List<JsonObject>> values() {
        Cached c = cached;
        if (c != null && System.nanoTime() - c.at < CACHE_MS * 1_000_000) return c.values;
        Future<List<JsonObject>> read = map().compose(AsyncMap::values);
        cached = new Cached(System.nanoTime(), read);
        read.onFailure(e -> cached = null);
        return read;
    }

    private record Cached(long at, Future<List<JsonObject>> values) {
    }

    void removeWhere(java.util.function.Predicate<JsonObject> which) {
        map().compose(m -> m.entries().compose(entries -> {
            List<Future<JsonObject>> removals = entries.entrySet().stream().filter(e -> which.test(e.getValue()))
                    .map(e -> m.remove(e.getKey())).toList();
            return Future.all(removals);
        })).onFailure(e -> LOG.debug("removing placement entries failed", e));
    }

    private static String key(String collection, int shard, String node) {
        return collection + "/" + shard + "/" + node;
    }

    private Future<AsyncMap<String, JsonObject>> map() {
        return bus.vertx().sharedData().getAsyncMap(MAP);
    }
}
