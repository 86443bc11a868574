package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.PoiskConfig;
import io.poisk.kafka.KafkaBroker;
import io.poisk.server.PoiskServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API keys across a cluster (a real Kafka broker, clustered servers on loopback, no model): a key made on one node
 * works on the other, a key revoked on one stops working on the other, a node restarted on its folder and a node that
 * joins with an empty folder both know the keys, and a key revoked while a node was down stays revoked there.
 */
@Tag("cluster")
class ClusterKeysTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_MS = 20_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aKeyMadeOrRevokedOnOneNodeHoldsOnEveryNode(@TempDir Path tmp) throws Exception {
        Path noModels = Files.createDirectories(tmp.resolve("models"));
        int[] hz = {freePort(), freePort(), freePort()};
        String members = "127.0.0.1:" + hz[0] + ",127.0.0.1:" + hz[1] + ",127.0.0.1:" + hz[2];
        try (KafkaBroker broker = KafkaBroker.start(tmp.resolve("kafka"), 0, 0)) {
            PoiskServer a = start(tmp, broker, noModels, members, hz, 0);
            PoiskServer b = start(tmp, broker, noModels, members, hz, 1);
            PoiskServer c = null;
            try {
                // auth is off until the first key (loopback); the first key, made on A, turns it on everywhere
                JsonNode admin = json(send(a, "POST", "/keys", "{\"scope\":\"admin\"}", null), 201);
                String adminKey = admin.get("key").asText();
                // B answers 200 to any request while it has no key, so wait for the refusal, then the key
                assertThat(awaitStatus(b, "/collections", null, 401)).isEqualTo(401);
                assertThat(send(b, "GET", "/collections", null, adminKey).statusCode()).isEqualTo(200);

                // a search key made on B works on A; revoked on A, it stops working on B
                JsonNode search = json(send(b, "POST", "/keys", "{\"scope\":\"search\"}", adminKey), 201);
                String searchKey = search.get("key").asText();
                assertThat(awaitStatus(a, "/collections", searchKey, 200)).isEqualTo(200);
                assertThat(send(a, "POST", "/keys", "{\"scope\":\"search\"}", searchKey).statusCode()).isEqualTo(403);
                assertThat(send(a, "DELETE", "/keys/" + search.get("id").asText(), null, adminKey).statusCode()).isIn(200, 204);
                assertThat(awaitStatus(b, "/collections", searchKey, 401)).isEqualTo(401);

                // a key revoked while B is down stays revoked when B comes back on its folder (which still lists it)
                JsonNode writer = json(send(a, "POST", "/keys", "{\"scope\":\"write\"}", adminKey), 201);
                String writeKey = writer.get("key").asText();
                assertThat(awaitStatus(b, "/collections", writeKey, 200)).isEqualTo(200);
                b.close();
                assertThat(send(a, "DELETE", "/keys/" + writer.get("id").asText(), null, adminKey).statusCode()).isIn(200, 204);
                b = start(tmp, broker, noModels, members, hz, 1);
                assertThat(send(b, "GET", "/collections", null, writeKey).statusCode()).isEqualTo(401);
                assertThat(send(b, "GET", "/collections", null, adminKey).statusCode()).isEqualTo(200);

                // a node that joins with an empty folder knows every key as soon as it serves
                c = start(tmp, broker, noModels, members, hz, 2);
                assertThat(send(c, "GET", "/collections", null, adminKey).statusCode()).isEqualTo(200);
                assertThat(send(c, "GET", "/collections", null, searchKey).statusCode()).isEqualTo(401);
                assertThat(json(send(c, "GET", "/keys", null, adminKey), 200).get("keys")).hasSize(1);
            } finally {
                for (PoiskServer s : new PoiskServer[]{c, b, a}) if (s != null) s.close();
            }
        }
    }

    private static PoiskServer start(Path tmp, KafkaBroker broker, Path models, String members, int[] hz, int i) {
        PoiskConfig config = PoiskConfig.defaults().with(Map.of("port", "0", "host", "127.0.0.1",
                "data_dir", tmp.resolve("node" + i).toString(), "models_dir", models.toString(), "cluster.enabled", "true",
                "cluster.port", String.valueOf(hz[i]), "cluster.members", members, "cluster.kafka.bootstrap", broker.bootstrap()));
        return PoiskServer.start(config, ClusterServerRuntime.of(config));
    }

    /** GET {@code path} with {@code key} until it answers {@code status} (a key reaches other nodes in milliseconds). */
    private int awaitStatus(PoiskServer node, String path, String key, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        int last = send(node, "GET", path, null, key).statusCode();
        while (last != status && System.nanoTime() < deadline) {
            Thread.sleep(50);
            last = send(node, "GET", path, null, key).statusCode();
        }
        return last;
    }

    private HttpResponse<String> send(PoiskServer node, String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) r.header("Content-Type", "application/json");
        if (key != null) r.header("Authorization", "Bearer " + key);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
