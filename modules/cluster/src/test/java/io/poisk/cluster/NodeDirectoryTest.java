package io.poisk.cluster;

import io.poisk.core.PoiskConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real cluster members in this JVM (Hazelcast on loopback, TCP/IP join): each lists both with the descriptor
 * the other published, and a member that leaves drops out. The Kafka probe answers "not reachable" with a reason,
 * bounded, for nothing listening and for a malformed list.
 */
class NodeDirectoryTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void membersCarryTheirDescriptorsAndOneThatLeavesDropsOut() throws Exception {
        int a = freePort(), b = freePort();
        String members = "127.0.0.1:" + a + ",127.0.0.1:" + b;
        ClusterBus busA = join(a, members);
        ClusterBus busB = join(b, members);
        try {
            NodeDirectory dirA = new NodeDirectory(busA), dirB = new NodeDirectory(busB);
            await(dirA.publish(new JsonObject().put("role", "serving").put("http", "127.0.0.1:8080")));
            await(dirB.publish(new JsonObject().put("role", "worker").put("models", new JsonArray().add("e5-small-v2"))));

            JsonArray seenByA = awaitMembers(dirA, 2);
            JsonObject worker = find(seenByA, busB.nodeId());
            assertThat(worker.getString("role")).isEqualTo("worker");
            assertThat(worker.getJsonArray("models").getList()).containsExactly("e5-small-v2");
            assertThat(worker.getBoolean("self")).isFalse();
            assertThat(worker.getString("address")).isEqualTo("127.0.0.1:" + b);
            JsonObject self = find(await(dirB.members()), busA.nodeId());
            assertThat(self.getString("http")).isEqualTo("127.0.0.1:8080");

            JsonObject status = await(ClusterStatus.describe(busA, dirA, ""));
            assertThat(status.getString("mode")).isEqualTo("cluster");
            assertThat(status.getLong("serving")).isEqualTo(1);
            assertThat(status.getLong("workers")).isEqualTo(1);
            assertThat(status.getJsonObject("kafka").getBoolean("configured")).isFalse();

            await(busB.vertx().close()); // B leaves: A lists itself alone, and B's entry is gone from the map
            busB = null;
            JsonArray alone = awaitMembers(dirA, 1);
            assertThat(alone.getJsonObject(0).getString("id")).isEqualTo(busA.nodeId());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Map<String, JsonObject> entries;
            do {
                entries = await(busA.vertx().sharedData().<String, JsonObject>getAsyncMap(NodeDirectory.MAP).compose(m -> m.entries()));
            } while (entries.size() > 1 && System.nanoTime() < deadline && sleep());
            assertThat(entries).containsOnlyKeys(busA.nodeId());
        } finally {
            if (busB != null) await(busB.vertx().close());
            await(busA.vertx().close());
        }
    }

    @Test
    void theKafkaProbeSaysWhyNothingAnswers() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            long t0 = System.nanoTime();
            JsonObject none = await(KafkaProbe.probe(vertx, "127.0.0.1:" + freePort()));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(none.getBoolean("configured")).isTrue();
            assertThat(none.getBoolean("reachable")).isFalse();
            assertThat(none.getString("error")).isNotBlank();
            assertThat(ms).as("bounded by the probe's timeout").isLessThan(KafkaProbe.TIMEOUT_MS + 3000L);

            JsonObject malformed = await(KafkaProbe.probe(vertx, "not a host list"));
            assertThat(malformed.getBoolean("reachable")).isFalse();
            assertThat(malformed.getString("error")).isNotBlank();
        } finally {
            await(vertx.close());
        }
    }

    private static ClusterBus join(int port, String members) throws Exception {
        PoiskConfig config = PoiskConfig.defaults().with(Map.of("cluster.enabled", "true", "cluster.host", "127.0.0.1",
                "cluster.port", String.valueOf(port), "cluster.members", members));
        return await(ClusterBus.join(Vertx.builder().with(ClusterBus.options(config, new VertxOptions())), config));
    }

    private static JsonArray awaitMembers(NodeDirectory directory, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonArray members = await(directory.members());
        while (members.size() != n && System.nanoTime() < deadline && sleep()) members = await(directory.members());
        assertThat(members).hasSize(n);
        return members;
    }

    private static JsonObject find(JsonArray members, String id) {
        for (Object m : members) if (((JsonObject) m).getString("id").equals(id)) return (JsonObject) m;
        throw new AssertionError("member " + id + " not in " + members.encode());
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(200);
        return true;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
