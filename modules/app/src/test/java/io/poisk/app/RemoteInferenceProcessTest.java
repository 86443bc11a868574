package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inference on separate {@code poisk worker} processes, on loopback: a serving node with {@code inference.mode=remote}
 * (no weights, no inference thread) and two workers running the real e5 model, all three in one Hazelcast cluster.
 * Ingest and search work; a worker killed with SIGKILL while batches are in flight costs retries on the other worker,
 * not a failed request; with no worker left a search fails with a clear 503 within {@code inference.timeout_ms}.
 */
@Tag("process")
@Tag("model")
class RemoteInferenceProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long INFERENCE_TIMEOUT_MS = 20_000, ATTEMPT_TIMEOUT_MS = 8_000;
    private static final Duration WORKER_START = Duration.ofSeconds(180);
    private static final String[] TOPICS = {
            "Cats sleep for most of the day, often twelve to sixteen hours, curled up somewhere warm.",
            "The stock market fell sharply after the central bank raised interest rates again.",
            "To bake sourdough bread you need flour, water, salt and an active starter.",
            "The volcano erupted at night, sending ash and lava down the mountain slopes.",
            "Football fans celebrated in the streets after their team won the championship final.",
            "Photosynthesis turns sunlight, water and carbon dioxide into sugar and oxygen in plant leaves.",
    };

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void servesWithNoLocalInferenceLosesNoRequestToAKilledWorkerAndFails503WithNone(@TempDir Path data) throws Exception {
        // the three logs stay in target/ for a look after a failure
        Path tmp = Files.createDirectories(Path.of("target", "remote-inference"));
        for (String log : List.of("server.log", "worker-a.log", "worker-b.log")) Files.deleteIfExists(tmp.resolve(log));
        int serveHz = WorkerProcess.freePort(), aHz = WorkerProcess.freePort(), bHz = WorkerProcess.freePort();
        String members = "127.0.0.1:" + serveHz + ",127.0.0.1:" + aHz + ",127.0.0.1:" + bHz;
        Map<String, String> env = Map.of("POISK_CLUSTER_ENABLED", "true", "POISK_CLUSTER_HOST", "127.0.0.1",
                "POISK_CLUSTER_PORT", String.valueOf(serveHz), "POISK_CLUSTER_MEMBERS", members, "POISK_INFERENCE_MODE", "remote",
                "POISK_INFERENCE_TIMEOUT_MS", String.valueOf(INFERENCE_TIMEOUT_MS),
                "POISK_INFERENCE_ATTEMPT_TIMEOUT_MS", String.valueOf(ATTEMPT_TIMEOUT_MS));
        long t0 = System.nanoTime();
        try (ServerProcess server = ServerProcess.start(data.resolve("data"), tmp.resolve("server.log"), env)) {
            // no worker yet: the serving node is alive but not ready, and says why
            HttpResponse<String> notReady = send(server, "GET", "/health/ready", null);
            assertThat(notReady.statusCode()).as(notReady.body()).isEqualTo(503);
            assertThat(notReady.body()).contains("no poisk worker in the cluster serves model 'e5-small-v2'");
            // both workers load the model at once; each is ready once its consumer is registered cluster-wide
            CompletableFuture<WorkerProcess> startA = CompletableFuture.supplyAsync(() -> startWorker(aHz, members, tmp.resolve("worker-a.log")));
            CompletableFuture<WorkerProcess> startB = CompletableFuture.supplyAsync(() -> startWorker(bHz, members, tmp.resolve("worker-b.log")));
            try (WorkerProcess a = startA.get(200, TimeUnit.SECONDS); WorkerProcess b = startB.get(200, TimeUnit.SECONDS)) {
                System.out.printf("cluster of 1 serving node + 2 workers up in %d ms%n", millisSince(t0));
                assertThat(awaitReady(server, 200).statusCode()).isEqualTo(200);

                // 0. GET /cluster: the serving node and both workers with the model they serve (auth is off on loopback)
                HttpResponse<String> view = awaitWorkers(server, 2);
                assertThat(view.statusCode()).as(view.body()).isEqualTo(200);
                JsonNode cluster = JSON.readTree(view.body());
                assertThat(cluster.path("members")).hasSize(3);
                assertThat(cluster.path("serving").asInt()).isEqualTo(1);
                assertThat(cluster.path("workers").asInt()).as(view.body()).isEqualTo(2);
                for (JsonNode m : cluster.path("members")) {
                    if (m.path("role").asText().equals("worker")) assertThat(m.path("models").toString()).isEqualTo("[\"e5-small-v2\"]");
                    else assertThat(m.path("inference").asText()).isEqualTo("remote");
                }

                // 1. ingest and search, every vector made on a worker
                HttpResponse<String> created = send(server, "PUT", "/collections/docs", "{}");
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                StringBuilder docs = new StringBuilder("{\"documents\":[");
                for (int i = 0; i < TOPICS.length; i++) {
                    docs.append(i == 0 ? "" : ",").append("{\"id\":\"t").append(i).append("\",\"text\":").append(JSON.writeValueAsString(TOPICS[i])).append('}');
                }
                HttpResponse<String> indexed = send(server, "POST", "/collections/docs/documents", docs.append("]}").toString());
                assertThat(indexed.statusCode()).as(indexed.body()).isEqualTo(200);
                HttpResponse<String> found = send(server, "POST", "/collections/docs/search",
                        "{\"query\":\"how long do cats nap\",\"mode\":\"dense\",\"k\":3}");
                assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
                assertThat(JSON.readTree(found.body()).path("hits").path(0).path("id").asText()).isEqualTo("t0");

                // zero local inference: no batcher or rerank thread in the serving JVM, no weights loaded there
                String threads = threadDump(server.pid());
                assertThat(threads).contains("vert.x-eventloop").doesNotContain("poisk-inference-").doesNotContain("poisk-rerank-");
                assertThat(Files.readString(tmp.resolve("server.log"))).doesNotContain("loaded model");
                JsonNode inference = stats(server);
                assertThat(inference.path("mode").asText()).isEqualTo("remote");
                assertThat(inference.path("requests").asLong()).isGreaterThanOrEqualTo(2);

                // sequential dense searches, each a new query (a query-cache miss): one remote inference each
                long[] took = new long[20];
                for (int i = 0; i < took.length; i++) {
                    long q0 = System.nanoTime();
                    HttpResponse<String> r = send(server, "POST", "/collections/docs/search", "{\"query\":\"question number " + i
                            + " about nature\",\"mode\":\"dense\",\"k\":3}");
                    took[i] = millisSince(q0);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                }
                java.util.Arrays.sort(took);
                System.out.printf("20 dense searches with remote query embedding: p50 %d ms, max %d ms%n", took[10], took[19]);

                // 2. SIGKILL worker A while batches are in flight; worker B takes them over
                int requests = 8, perRequest = 24;
                List<CompletableFuture<HttpResponse<String>>> ingests = new ArrayList<>();
                long ingestStart = System.nanoTime();
                for (int r = 0; r < requests; r++) ingests.add(sendAsync(server, "/collections/docs/documents", batch(r, perRequest)));
                long inFlightSeen = awaitInFlight(server, 2, Duration.ofSeconds(30));
                a.kill();
                System.out.printf("killed worker A with %d inference requests in flight, %d ms into the ingest%n", inFlightSeen,
                        millisSince(ingestStart));
                for (CompletableFuture<HttpResponse<String>> f : ingests) {
                    HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertThat(JSON.readTree(r.body()).path("indexed").asInt()).isEqualTo(perRequest);
                }
                System.out.printf("%d ingest requests of %d documents all acknowledged in %d ms%n", requests, perRequest, millisSince(ingestStart));
                JsonNode described = JSON.readTree(send(server, "GET", "/collections/docs", null).body());
                assertThat(described.toString()).contains("\"documents\":" + (TOPICS.length + requests * perRequest));
                JsonNode after = stats(server);
                assertThat(after.path("retries").asLong()).as("batches of the killed worker were sent again").isPositive();
                assertThat(after.path("failures").asLong()).isZero();
                System.out.printf("inference after the kill: %s%n", after);
                HttpResponse<String> still = send(server, "POST", "/collections/docs/search", "{\"query\":\"bread starter flour\",\"mode\":\"dense\",\"k\":1}");
                assertThat(still.statusCode()).as(still.body()).isEqualTo(200);
                assertThat(JSON.readTree(still.body()).path("hits").path(0).path("text").asText()).contains("sourdough");

                // 3. no worker alive: a clear 503 within the inference deadline, not a hang
                b.kill();
                HttpResponse<String> noWorker = awaitReady(server, 503);
                assertThat(noWorker.statusCode()).as(noWorker.body()).isEqualTo(503);
                assertThat(noWorker.body()).contains("no poisk worker in the cluster serves model");
                long searchStart = System.nanoTime();
                HttpResponse<String> none = send(server, "POST", "/collections/docs/search", "{\"query\":\"an erupting volcano\",\"mode\":\"dense\"}");
                long tookMs = millisSince(searchStart);
                System.out.printf("with no worker: %d after %d ms: %s%n", none.statusCode(), tookMs, none.body());
                assertThat(none.statusCode()).as(none.body()).isEqualTo(503);
                JsonNode error = JSON.readTree(none.body()).path("error");
                assertThat(error.path("code").asText()).isEqualTo("unavailable");
                assertThat(error.path("message").asText()).contains("e5-small-v2").contains("inference.timeout_ms");
                assertThat(tookMs).isLessThanOrEqualTo(INFERENCE_TIMEOUT_MS + 5_000);
            }
        }
    }

    private static WorkerProcess startWorker(int port, String members, Path log) {
        try {
            return WorkerProcess.start(port, members, log, WORKER_START);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String batch(int r, int n) throws IOException {
        StringBuilder b = new StringBuilder("{\"documents\":[");
        for (int i = 0; i < n; i++) {
            String text = "Report " + r + "-" + i + ". " + TOPICS[(r + i) % TOPICS.length] + " " + TOPICS[(r * 7 + i * 3) % TOPICS.length]
                    + " Notes for entry " + i + " of batch " + r + ".";
            b.append(i == 0 ? "" : ",").append("{\"id\":\"k").append(r).append('-').append(i).append("\",\"text\":")
                    .append(JSON.writeValueAsString(text)).append('}');
        }
        return b.append("]}").toString();
    }

    /** Polls GET /stats until at least {@code n} inference requests are in flight; returns how many were. */
    private long awaitInFlight(ServerProcess server, int n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long inFlight = stats(server).path("in_flight").asLong();
            if (inFlight >= n) return inFlight;
            Thread.sleep(10);
        }
        throw new AssertionError("never " + n + " inference requests in flight within " + timeout);
    }

    private JsonNode stats(ServerProcess server) throws IOException, InterruptedException {
        return JSON.readTree(send(server, "GET", "/stats", null).body()).path("inference");
    }

    private static String threadDump(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "Thread.print").redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out);
    }

    /** GET /health/ready until it answers {@code status} (membership changes take a moment to be seen), at most 20 s. */
    private HttpResponse<String> awaitReady(ServerProcess server, int status) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        HttpResponse<String> r = send(server, "GET", "/health/ready", null);
        while (r.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = send(server, "GET", "/health/ready", null);
        }
        return r;
    }

    /**
     * GET /cluster until it counts {@code workers} workers, at most 20 s: a member's role reaches the other members
     * through the replicated directory a moment after the member itself is ready (until then it shows "starting").
     */
    private HttpResponse<String> awaitWorkers(ServerProcess server, int workers) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        HttpResponse<String> r = send(server, "GET", "/cluster", null);
        while ((r.statusCode() != 200 || JSON.readTree(r.body()).path("workers").asInt() != workers) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = send(server, "GET", "/cluster", null);
        }
        return r;
    }

    private HttpResponse<String> send(ServerProcess server, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(90))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(ServerProcess server, String path, String body) {
        return http.sendAsync(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
