package io.poisk.cluster;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.poisk.core.PoiskConfig;
import io.poisk.engine.Engine;
import io.poisk.engine.Inference;
import io.poisk.engine.PoiskEngine;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sharded, replicated collections on a cluster node, wired together: the Kafka log and catalog, this node's shard
 * copies (a second engine under {@code <data_dir>/shards} that shares the node's inference), the shard-read service on
 * the event bus, and the {@link ShardedEngine} the transports use. {@link #describe} is what {@code GET /cluster}
 * adds under {@code "collections"}.
 */
public final class ShardedCollections {
    private static final long START_TIMEOUT_S = 60;

    private final ShardedEngine engine;
    private final ShardCatalog catalog;
    private final ShardPlacement placement;
    private final String bootstrap;
    private final ShardLog log;

    private ShardedCollections(ShardedEngine engine, ShardCatalog catalog, ShardPlacement placement, String bootstrap, ShardLog log) {
        this.engine = engine;
        this.catalog = catalog;
        this.placement = placement;
        this.bootstrap = bootstrap;
        this.log = log;
    }

    /** Starts it all over {@code local} (blocking, once, while the server starts); {@code cluster.kafka.bootstrap} must be set. */
    public static ShardedCollections start(ClusterBus bus, PoiskEngine local, PoiskConfig config, Inference inference) {
        String bootstrap = config.string("cluster.kafka.bootstrap").trim();
        Path shardsDir = config.path("data_dir").resolve("shards");
        PoiskEngine shardEngine = PoiskEngine.open(config.with(Map.of("data_dir", shardsDir.toString())), new SimpleMeterRegistry(), inference);
        ShardLog log = new ShardLog(bootstrap);
        ShardPlacement placement = new ShardPlacement(bus);
        ShardHost host = new ShardHost(shardEngine, shardsDir.resolve("offsets"), bootstrap, config.integer("cluster.replica_group"), placement);
        ShardCatalog catalog;
        try {
            catalog = ShardCatalog.start(bootstrap, log, host::add, host::remove);
            bus.vertx().deployVerticle(new ShardSearchVerticle(host, bus.nodeId())).toCompletionStage().toCompletableFuture()
                    .get(START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            host.close();
            log.close();
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("starting the shard service failed", e);
        }
        ShardedEngine engine = new ShardedEngine(local, bus.vertx(), catalog, log, host, new ShardQuery(bus.vertx(), placement), placement);
        return new ShardedCollections(engine, catalog, placement, bootstrap, log);
    }

    public Engine engine() {
        return engine;
    }

    /**
     * Makes {@code keys} cluster-wide ({@link ClusterKeys}): synchronised with the keys topic now (blocking), kept in
     * step until the engine closes.
     */
    public void shareKeys(io.poisk.engine.ApiKeyStore keys) {
        engine.closeFirst(ClusterKeys.start(bootstrap, log, keys));
    }

    /** {@code {name: {"shards","replicas","placement":[{"shard","node","group","offset","state"}]}}}. */
    public Future<JsonObject> describe() {
        List<ShardSpec> specs = new ArrayList<>(catalog.all().values());
        List<Future<List<JsonObject>>> placements = specs.stream().map(s -> placement.of(s.name())).toList();
        return Future.all(placements).map(done -> {
            JsonObject out = new JsonObject();
            for (int i = 0; i < specs.size(); i++) {
                ShardSpec s = specs.get(i);
                JsonArray where = new JsonArray();
                for (JsonObject e : placements.get(i).result()) {
                    where.add(new JsonObject().put("shard", e.getInteger("shard")).put("node", e.getString("node"))
                            .put("group", e.getInteger("group")).put("offset", e.getLong("offset")).put("state", e.getString("state")));
                }
                out.put(s.name(), new JsonObject().put("shards", s.shards()).put("replicas", s.replicas()).put("placement", where));
            }
            return out;
        });
    }
}
