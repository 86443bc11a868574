package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.poisk.core.Document;
import io.poisk.eval.SquadLoader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sharded collection as an operator runs it: {@code ops/cluster/up 3 DIR} (a broker and three nodes, node i in
 * replica group i), the default model (e5-small-v2) on XQuAD-ru paragraphs, shards=3 replicas=2. After kill -9 of a
 * node every acknowledged document (also those written while it was dead) is found and no answer is partial once
 * Kafka moved its shards; restarted on its folder, the node catches up and answers every shard itself.
 */
@Tag("process")
@Tag("model")
class ShardedClusterProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long UP_TIMEOUT_S = 240;
    private static final long WAIT_MS = 90_000;
    private static final int FIRST = 12;
    private static final int MORE = 4;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void survivesKillNineAndTheRestartedNodeCatchesUp(@TempDir Path dir) throws Exception {
        Path repo = Path.of(System.getProperty("poisk.repo.dir", "../.."));
        Path cluster = dir.resolve("cluster");
        List<Document> paragraphs = SquadLoader.load(ServerEndToEndTest.xquadFile()).corpus().subList(0, FIRST + MORE);
        Process restarted = null;
        ClusterScript up = ClusterScript.run(repo, UP_TIMEOUT_S, UP_TIMEOUT_S + 20, "ops/cluster/up", "3", cluster.toString());
        try {
            assertThat(up.rc()).as("up: %s", up.err()).isZero();
            List<JsonNode> lines = new ArrayList<>();
            for (String l : up.out().strip().split("\n")) lines.add(JSON.readTree(l));
            String bootstrap = lines.get(0).path("bootstrap").asText();
            int[] port = new int[4];
            for (int i = 1; i <= 3; i++) port[i] = lines.get(i).path("http_port").asInt();

            var created = send(port[1], "PUT", "/collections/xq", "{\"shards\":3,\"replicas\":2}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode first = json(send(port[1], "POST", "/collections/xq/documents", documents(paragraphs.subList(0, FIRST))));
            assertThat(first.path("indexed").asInt()).isEqualTo(FIRST);
            Set<String> acknowledged = ids(paragraphs.subList(0, FIRST));
            JsonNode page = search(port[2], first.path("offsets"));
            assertThat(page.path("partial").asBoolean()).as(page.toString()).isFalse();
            assertThat(hitIds(page)).isEqualTo(acknowledged);
            await("every shard ready on two nodes", () -> readyCopies(port[1], 2));

            // kill -9 node 3; it shares replica group 1 with node 1, which takes over its shards
            String dead = json(send(port[3], "GET", "/cluster", null)).path("node").asText();
            long killed = System.nanoTime();
            ProcessHandle.of(lines.get(3).path("pid").asLong()).orElseThrow().destroyForcibly();
            await("every shard ready on two live nodes after kill -9", () -> !holds(port[1], dead) && readyCopies(port[1], 2));
            long failoverMs = (System.nanoTime() - killed) / 1_000_000;
            JsonNode more = json(send(port[2], "POST", "/collections/xq/documents", documents(paragraphs.subList(FIRST, FIRST + MORE))));
            acknowledged.addAll(ids(paragraphs.subList(FIRST, FIRST + MORE)));
            for (int p : new int[] {port[1], port[2]}) {
                JsonNode after = search(p, more.path("offsets"));
                assertThat(after.path("partial").asBoolean()).as(after.toString()).isFalse();
                assertThat(hitIds(after)).isEqualTo(acknowledged);
            }

            // restart node 3 on its folder: it rejoins group 1, catches up, and answers from its own copies
            long restarting = System.nanoTime();
            restarted = restart(repo, cluster, lines, bootstrap);
            final Process node3 = restarted;
            await("node 3 ready", () -> node3.isAlive() && status(port[3], "/health/ready") == 200);
            String node3Id = json(send(port[3], "GET", "/cluster", null)).path("node").asText();
            await("node 3 holds caught-up shards", () -> holdsReady(port[1], node3Id));
            long catchUpMs = (System.nanoTime() - restarting) / 1_000_000;
            JsonNode own = search(port[3], more.path("offsets"));
            assertThat(own.path("partial").asBoolean()).as(own.toString()).isFalse();
            assertThat(hitIds(own)).isEqualTo(acknowledged);
            System.out.printf("sharded cluster: failover after kill -9 %d ms, restarted node ready with caught-up shards %d ms%n",
                    failoverMs, catchUpMs);
        } finally {
            if (restarted != null) Files.writeString(cluster.resolve("pids"), "node-3r " + restarted.pid() + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
            ClusterScript.run(repo, UP_TIMEOUT_S, 90, "ops/cluster/down", cluster.toString());
            if (restarted != null && restarted.isAlive()) restarted.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Node 3 again, as ops/cluster/up started it (same ports, folder and replica group). */
    private static Process restart(Path repo, Path cluster, List<JsonNode> lines, String bootstrap) throws IOException {
        StringBuilder members = new StringBuilder();
        for (int i = 1; i <= 3; i++) members.append(i > 1 ? "," : "").append("127.0.0.1:").append(lines.get(i).path("cluster_port").asInt());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String f : System.getProperty("poisk.jvm.flags").trim().split("\\s+")) if (!f.isEmpty()) command.add(f);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.poisk.app.Main", "serve",
                "--port", lines.get(3).path("http_port").asText(), "--data", cluster.resolve("node-3").toString(), "--cluster",
                "--cluster-host", "127.0.0.1", "--cluster-port", lines.get(3).path("cluster_port").asText(), "--join", members.toString(),
                "--kafka", bootstrap));
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile());
        pb.environment().put("POISK_CLUSTER_REPLICA_GROUP", "3");
        pb.environment().put("POISK_MODELS_DIR", System.getProperty("poisk.models.dir"));
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        return pb.redirectErrorStream(true).redirectOutput(cluster.resolve("node-3-restarted.log").toFile()).start();
    }

    private boolean readyCopies(int port, int copies) throws Exception {
        Map<Integer, Set<String>> ready = new HashMap<>();
        for (JsonNode e : json(send(port, "GET", "/cluster", null)).at("/collections/xq/placement")) {
            if (e.path("state").asText().equals("ready")) ready.computeIfAbsent(e.path("shard").asInt(), k -> new HashSet<>()).add(e.path("node").asText());
        }
        for (int k = 0; k < 3; k++) if (ready.getOrDefault(k, Set.of()).size() != copies) return false;
        return true;
    }

    private boolean holds(int port, String node) throws Exception {
        for (JsonNode e : json(send(port, "GET", "/cluster", null)).at("/collections/xq/placement")) {
            if (e.path("node").asText().equals(node)) return true;
        }
        return false;
    }

    private boolean holdsReady(int port, String node) throws Exception {
        boolean any = false;
        for (JsonNode e : json(send(port, "GET", "/cluster", null)).at("/collections/xq/placement")) {
            if (!e.path("node").asText().equals(node)) continue;
            if (!e.path("state").asText().equals("ready")) return false;
            any = true;
        }
        return any && readyCopies(port, 2);
    }

    private JsonNode search(int port, JsonNode after) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("query", "история города").put("mode", "dense").put("k", 100).put("timeout_ms", 30_000);
        body.set("after", after);
        var r = send(port, "POST", "/collections/xq/search", body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static String documents(List<Document> docs) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("documents");
        for (Document d : docs) array.addObject().put("id", d.id()).put("text", d.text());
        return body.toString();
    }

    private static Set<String> ids(List<Document> docs) {
        Set<String> out = new TreeSet<>();
        docs.forEach(d -> out.add(d.id()));
        return out;
    }

    private static Set<String> hitIds(JsonNode page) {
        Set<String> out = new TreeSet<>();
        page.path("hits").forEach(h -> out.add(h.path("id").asText()));
        return out;
    }

    private int status(int port, String path) {
        try {
            return send(port, "GET", path, null).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(120));
        if (body != null) r.header("content-type", "application/json");
        r.header("Request-Timeout", "110000"); // three nodes embedding on a shared small machine
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT_MS + " ms: " + what);
            Thread.sleep(200);
        }
    }
}
