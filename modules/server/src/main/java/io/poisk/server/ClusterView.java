package io.poisk.server;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What {@code GET /cluster} shows and how this node makes itself known. A single node ({@link #single}) shows
 * itself; cluster mode (the app wires the cluster module in) publishes a descriptor of this node cluster-wide
 * and answers with every member, the inference workers and the Kafka brokers.
 */
public interface ClusterView {

    /** Called once this node's HTTP server listens on {@code host}:{@code httpPort}. */
    Future<Void> serving(String host, int httpPort);

    /** The body of {@code GET /cluster}. Asynchronous: it may ask the cluster and Kafka, never blocking the caller. */
    Future<JsonObject> describe();

    /** This node alone: {@code {"mode":"single","members":[this node]}}. */
    static ClusterView single() {
        return new ClusterView() {
            private volatile String http = "";

            @Override
            public Future<Void> serving(String host, int httpPort) {
                http = host + ":" + httpPort;
                return Future.succeededFuture();
            }

            @Override
            public Future<JsonObject> describe() {
                JsonObject self = new JsonObject().put("id", "local").put("self", true).put("role", "serving").put("http", http);
                return Future.succeededFuture(new JsonObject().put("mode", "single").put("node", "local")
                        .put("members", new JsonArray().add(self)));
            }
        };
    }
}
