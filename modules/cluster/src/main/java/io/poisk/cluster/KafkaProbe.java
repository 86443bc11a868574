package io.poisk.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Whether the Kafka bootstrap servers answer: Kafka's AdminClient describeCluster, bounded by a short timeout.
 * A client is made for each probe and closed after it, on a worker thread: GET /cluster is an operator's call,
 * and a client kept open would reconnect (and log) forever while the brokers are down.
 */
public final class KafkaProbe {
    static final int TIMEOUT_MS = 2000;

    private KafkaProbe() {
    }

    /** {@code {"bootstrap","configured","reachable",("cluster_id","brokers") | "error"}}; never fails. */
    public static Future<JsonObject> probe(Vertx vertx, String bootstrap) {
        JsonObject result = new JsonObject().put("bootstrap", bootstrap).put("configured", !bootstrap.isBlank());
        if (bootstrap.isBlank()) {
            return Future.succeededFuture(result.put("reachable", false).put("error", "cluster.kafka.bootstrap is not set"));
        }
        return vertx.executeBlocking(() -> describe(bootstrap, result), false)
                .recover(e -> Future.succeededFuture(result.put("reachable", false).put("error", String.valueOf(e.getMessage()))));
    }

    private static JsonObject describe(String bootstrap, JsonObject result) throws InterruptedException {
        Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, TIMEOUT_MS);
        Admin admin = Admin.create(config); // a malformed bootstrap list throws here: the probe's error
        try {
            DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS));
            Collection<Node> nodes = cluster.nodes().get(TIMEOUT_MS + 1000L, TimeUnit.MILLISECONDS);
            JsonArray brokers = new JsonArray();
            nodes.forEach(n -> brokers.add(new JsonObject().put("id", n.id()).put("address", n.host() + ":" + n.port())));
            return result.put("reachable", true).put("cluster_id", cluster.clusterId().get(TIMEOUT_MS, TimeUnit.MILLISECONDS))
                    .put("brokers", brokers);
        } catch (ExecutionException e) {
            return result.put("reachable", false).put("error", String.valueOf(e.getCause().getMessage()));
        } catch (java.util.concurrent.TimeoutException e) {
            return result.put("reachable", false).put("error", "no answer within " + TIMEOUT_MS + " ms");
        } finally {
            admin.close(Duration.ofSeconds(1)); // bounded: a call still pending is abandoned
        }
    }
}
