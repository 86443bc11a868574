package io.poisk.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The answer of {@code GET /cluster} in cluster mode: the members with their descriptors and the Kafka probe. */
public final class ClusterStatus {
    private ClusterStatus() {
    }

    /** {@code {"mode":"cluster","node","members","serving","workers","kafka"}}; both questions are asked at once. */
    public static Future<JsonObject> describe(ClusterBus bus, NodeDirectory directory, String kafkaBootstrap) {
        return describe(bus, directory, kafkaBootstrap, null);
    }

    /** As above, with {@code "collections"}: the sharded collections and where their shards are (null: none kept). */
    public static Future<JsonObject> describe(ClusterBus bus, NodeDirectory directory, String kafkaBootstrap, ShardedCollections sharded) {
        Future<JsonArray> members = directory.members();
        Future<JsonObject> kafka = KafkaProbe.probe(bus.vertx(), kafkaBootstrap);
        Future<JsonObject> collections = sharded == null ? Future.succeededFuture(null) : sharded.describe();
        return Future.all(members, kafka, collections).map(done -> {
            JsonArray list = members.result();
            JsonObject out = new JsonObject().put("mode", "cluster").put("node", bus.nodeId()).put("members", list)
                    .put("serving", count(list, "serving")).put("workers", count(list, "worker")).put("kafka", kafka.result());
            if (collections.result() != null) out.put("collections", collections.result());
            return out;
        });
    }

    private static long count(JsonArray members, String role) {
        return members.stream().filter(m -> m instanceof JsonObject o && role.equals(o.getString("role"))).count();
    }
}
