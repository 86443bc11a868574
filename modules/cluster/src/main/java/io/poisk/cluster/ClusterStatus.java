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
        Future<JsonArray> members = directory.members();
        Future<JsonObject> kafka = KafkaProbe.probe(bus.vertx(), kafkaBootstrap);
        return Future.all(members, kafka).map(done -> {
            JsonArray list = members.result();
            return new JsonObject().put("mode", "cluster").put("node", bus.nodeId()).put("members", list)
                    .put("serving", count(list, "serving")).put("workers", count(list, "worker")).put("kafka", kafka.result());
        });
    }

    private static long count(JsonArray members, String role) {
        return members.stream().filter(m -> m instanceof JsonObject o && role.equals(o.getString("role"))).count();
    }
}
