package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ops/cluster/up 2 DIR} and {@code ops/cluster/down DIR} as an operator runs them: a Kafka broker and two
 * {@code poisk serve --cluster} nodes on loopback (this test's classpath instead of the built lib folders). Both
 * nodes' {@code GET /cluster} list the same two serving members and the broker as reachable; down stops all three
 * with SIGTERM. Between them {@code ops/cluster/fault DIR 2 1 --wipe} kills node 2 with SIGKILL, deletes its data
 * directory and starts it again: it serves and both nodes see two members once more.
 */
@Tag("process")
@Tag("model")
class ClusterScriptsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long UP_TIMEOUT_S = 150;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void upStartsABrokerAndTwoJoinedNodesAndDownStopsThem(@TempDir Path dir) throws Exception {
        Path repo = Path.of(System.getProperty("poisk.repo.dir", "../.."));
        Path cluster = dir.resolve("cluster");
        long t0 = System.nanoTime();
        ClusterScript up = ClusterScript.run(repo, UP_TIMEOUT_S, UP_TIMEOUT_S + 20, "ops/cluster/up", "2", cluster.toString());
        try {
            long upMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(up.rc()).as("up: %s", up.err()).isZero();
            List<JsonNode> lines = new ArrayList<>();
            for (String l : up.out().strip().split("\n")) lines.add(JSON.readTree(l));
            assertThat(lines).hasSize(3);
            JsonNode broker = lines.get(0);
            assertThat(broker.path("broker").asBoolean()).isTrue();
            String bootstrap = broker.path("bootstrap").asText();
            List<JsonNode> nodes = lines.subList(1, 3);
            for (int i = 0; i < 2; i++) {
                assertThat(nodes.get(i).path("node").asInt()).isEqualTo(i + 1);
                assertThat(nodes.get(i).path("pid").asLong()).isPositive();
                assertThat(nodes.get(i).path("cluster_port").asInt()).isPositive();
            }
            assertThat(Files.readString(cluster.resolve("pids"))).contains("broker " + broker.path("pid").asLong());

            // each node sees both members as serving nodes (a node publishes its descriptor right after it listens)
            Set<String> memberIds = null;
            for (JsonNode node : nodes) {
                int port = node.path("http_port").asInt();
                JsonNode view = awaitTwoServing(port);
                assertThat(view.path("mode").asText()).isEqualTo("cluster");
                assertThat(view.path("serving").asInt()).isEqualTo(2);
                Set<String> ids = new HashSet<>();
                for (JsonNode m : view.path("members")) {
                    ids.add(m.path("id").asText());
                    assertThat(m.path("address").asText()).startsWith("127.0.0.1:");
                    if (m.path("self").asBoolean()) assertThat(m.path("http").asText()).isEqualTo("127.0.0.1:" + port);
                }
                if (memberIds == null) memberIds = ids;
                assertThat(ids).hasSize(2).isEqualTo(memberIds);
                JsonNode kafka = view.path("kafka");
                assertThat(kafka.path("bootstrap").asText()).isEqualTo(bootstrap);
                assertThat(kafka.path("reachable").asBoolean()).as(kafka.toString()).isTrue();
                assertThat(kafka.path("brokers").path(0).path("address").asText()).isEqualTo(bootstrap);
            }

            // fault: node 2 killed with SIGKILL and restarted from its own command line; it joins again and serves
            long tf = System.nanoTime();
            Path marker = cluster.resolve("node-2").resolve("written-before-the-crash");
            Files.writeString(marker, "gone after --wipe");
            ClusterScript fault = ClusterScript.run(repo, UP_TIMEOUT_S, UP_TIMEOUT_S + 20, "ops/cluster/fault", cluster.toString(), "2", "1",
                    "--wipe");
            assertThat(fault.rc()).as("fault: %s", fault.err()).isZero();
            JsonNode restarted = JSON.readTree(fault.out());
            long killedPid = nodes.get(1).path("pid").asLong();
            assertThat(restarted.path("killed_pid").asLong()).isEqualTo(killedPid);
            assertThat(restarted.path("wiped").asBoolean()).isTrue();
            assertThat(marker).doesNotExist();
            assertThat(ProcessHandle.of(killedPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            long newPid = restarted.path("pid").asLong();
            assertThat(newPid).isNotEqualTo(killedPid);
            assertThat(ProcessHandle.of(newPid).map(ProcessHandle::isAlive).orElse(false)).isTrue();
            assertThat(Files.readString(cluster.resolve("pids"))).contains("node-2 " + newPid).doesNotContain("node-2 " + killedPid + "\n");
            for (JsonNode node : nodes) {
                assertThat(awaitTwoServing(node.path("http_port").asInt()).path("serving").asInt()).isEqualTo(2);
            }
            long faultMs = (System.nanoTime() - tf) / 1_000_000;

            long t1 = System.nanoTime();
            ClusterScript down = ClusterScript.run(repo, UP_TIMEOUT_S, 60, "ops/cluster/down", cluster.toString());
            assertThat(down.rc()).as("down: %s", down.err()).isZero();
            JsonNode stopped = JSON.readTree(down.out());
            assertThat(stopped.path("stopped")).hasSize(3);
            assertThat(stopped.path("killed")).isEmpty();
            for (JsonNode line : lines) {
                assertThat(ProcessHandle.of(line.path("pid").asLong()).map(ProcessHandle::isAlive).orElse(false))
                        .as("pid %s after down", line.path("pid")).isFalse();
            }
            assertThat(cluster.resolve("pids")).doesNotExist();
            System.out.printf("ops/cluster: up 2 nodes + broker in %d ms, fault (kill -9 node 2, restart, ready) in %d ms,"
                    + " down (SIGTERM, no kill) in %d ms%n", upMs, faultMs, (System.nanoTime() - t1) / 1_000_000);
        } finally {
            if (Files.exists(cluster.resolve("pids"))) ClusterScript.run(repo, UP_TIMEOUT_S, 60, "ops/cluster/down", cluster.toString());
        }
    }

    /** GET /cluster until both members have published their descriptor, at most 15 s. */
    private JsonNode awaitTwoServing(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        JsonNode view = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cluster"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            view = JSON.readTree(r.body());
            if (view.path("serving").asInt() == 2) return view;
            Thread.sleep(250);
        }
        return view;
    }
}
