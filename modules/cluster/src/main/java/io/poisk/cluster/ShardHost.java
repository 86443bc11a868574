package io.poisk.cluster;

import io.poisk.engine.PoiskEngine;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The shard copies this node holds: the shard engine (a second engine rooted at {@code <data_dir>/shards}, sharing
 * the node's inference), one {@link ShardReplica} per sharded collection in this node's replica group
 * ({@code cluster.replica_group} mod the collection's replicas), and what it tells the {@link ShardPlacement} map.
 */
final class ShardHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardHost.class);
    /** A ready copy republishes its applied offset at most this often (state changes go out at once). */
    private static final long PUBLISH_EVERY_NS = TimeUnit.SECONDS.toNanos(1);

    private final PoiskEngine shards;
    private final Path offsetsDir;
    private final String bootstrap;
    private final int replicaGroup;
    private final ShardPlacement placement;
    private final Map<String, ShardReplica> replicas = new ConcurrentHashMap<>();
    private volatile boolean closed;

    ShardHost(PoiskEngine shards, Path offsetsDir, String bootstrap, int replicaGroup, ShardPlacement placement) {
        this.shards = shards;
        this.offsetsDir = offsetsDir;
        this.bootstrap = bootstrap;
        this.replicaGroup = replicaGroup;
        this.placement = placement;
    }

    PoiskEngine engine() {
        return shards;
    }

    /** The shard {@code k} of {@code collection} if this node holds it now. */
    Optional<ShardReplica.Held> held(String collection, int k) {
        ShardReplica r = replicas.get(collection);
        return r == null ? Optional.empty() : r.held(k);
    }

    /** A sharded collection appeared in the catalog (or this node started): join its replica group. */
    synchronized void add(ShardSpec spec) {
        if (closed || replicas.containsKey(spec.name())) return;
        int group = Math.floorMod(replicaGroup, spec.replicas());
        replicas.put(spec.name(), new ShardReplica(spec, group, bootstrap, shards, offsetsDir, publisher(spec, group)).start());
        LOG.info("sharded collection {}: this node is in replica group {} of {}", spec.name(), group, spec.replicas());
    }

    /** A sharded collection was deleted: leave its group and drop this node's copies and their offsets. */
    synchronized void remove(ShardSpec spec) {
        ShardReplica r = replicas.remove(spec.name());
        if (r != null) r.close();
        for (int k = 0; k < spec.shards(); k++) {
            String collection = spec.shardCollection(k);
            try {
                shards.deleteCollection(collection).get(60, TimeUnit.SECONDS);
                new ShardOffsetFile(offsetsDir, collection).delete();
            } catch (Exception e) {
                LOG.warn("dropping the copy {} failed", collection, e);
            }
        }
    }

    private ShardReplica.Listener publisher(ShardSpec spec, int group) {
        String collection = spec.name();
        Map<Integer, long[]> last = new ConcurrentHashMap<>(); // shard → {nanoTime, ready ? 1 : 0}
        // shard → {offset, ready ? 1 : 0} of a change held back by the throttle, published when its window ends: the
        // last records of a burst must show, or GET /cluster keeps an older offset until the next write
        Map<Integer, long[]> heldBack = new ConcurrentHashMap<>();
        // shard → the last placement write issued for it. A publish first asks the engine for the copy's counts
        // (asynchronous), so a release right after could reach the map first and the late publish would leave a
        // copy this node no longer holds listed as ready: each write now waits for the one before it, and a publish
        // whose shard was released meanwhile is dropped. (A copy listed on three nodes stalled ShardedCollectionsTest.)
        Map<Integer, Future<Void>> writes = new ConcurrentHashMap<>();
        return new ShardReplica.Listener() {
            private void inOrder(int shard, Supplier<Future<Void>> write) {
                writes.compute(shard, (k, before) -> (before == null ? Future.<Void>succeededFuture() : before)
                        .transform(done -> write.get()));
            }

            @Override
            public void state(int shard, long offset, boolean ready) {
                long now = System.nanoTime();
                long[] before = last.get(shard);
                if (before != null && (before[1] == 1) == ready && now - before[0] < PUBLISH_EVERY_NS) {
                    if (heldBack.put(shard, new long[] {offset, ready ? 1 : 0}) == null) {
                        long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(PUBLISH_EVERY_NS - (now - before[0])));
                        placement.later(waitMs, () -> {
                            long[] latest = heldBack.remove(shard);
                            if (latest != null && last.containsKey(shard)) send(shard, latest[0], latest[1] == 1);
                        });
                    }
                    return;
                }
                heldBack.remove(shard);
                last.put(shard, new long[] {now, ready ? 1 : 0});
                send(shard, offset, ready);
            }

            private void send(int shard, long offset, boolean ready) {
                String state = ready ? ShardPlacement.READY : ShardPlacement.BUILDING;
                inOrder(shard, () -> Future.fromCompletionStage(shards.describeCollection(spec.shardCollection(shard)))
                        .transform(d -> {
                            if (!last.containsKey(shard)) return Future.<Void>succeededFuture(); // released meanwhile
                            boolean known = d.succeeded() && d.result().info() != null; // the copy may not exist yet, or failed to open
                            return placement.publish(collection, shard, group, offset, state,
                                    known ? d.result().info().documents() : -1, known ? d.result().info().segments() : 0);
                        })
                        .onFailure(f -> LOG.debug("publishing shard {} of {} failed", shard, collection, f)));
            }

            @Override
            public void released(int shard) {
                last.remove(shard);
                heldBack.remove(shard);
                inOrder(shard, () -> placement.remove(collection, shard)
                        .onFailure(e -> LOG.debug("unpublishing shard {} of {} failed", shard, collection, e)));
            }
        };
    }

    @Override
    public synchronized void close() {
        closed = true;
        replicas.values().parallelStream().forEach(ShardReplica::close);
        replicas.clear();
        shards.close();
    }
}
