package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshots over HTTP with the real model: one taken while a writer keeps acknowledging batches holds exactly the
 * batches acknowledged before it; its archive restores into a new collection that answers queries like the source;
 * a damaged archive is a 400 that leaves no collection; snapshots survive a restart and can be deleted.
 */
@Tag("model")
class SnapshotServerTest {
    private static final int BATCH = 6;
    private static final int MAX_BATCHES = 60;
    /** A beam larger than any collection here: searches are exhaustive, so equal documents give equal answers. */
    private static final Map<String, String> CONFIG = Map.of("index.search_beam", "1000");
    private static final List<String> QUERIES = List.of("planets and stars", "cooking dinner", "river boats",
            "mountain weather", "old castles", "batch 3 document 2");

    @TempDir
    Path dataDir;
    @TempDir
    Path files;

    private static String text(int batch, int i) {
        String[] topics = {"stars and planets seen through a telescope", "a dinner of pasta with tomato sauce",
                "boats on a wide river at dawn", "snow and wind on a mountain pass", "a castle built in the old town",
                "a train crossing the plain"};
        return "batch " + batch + " document " + i + ": " + topics[(batch + i) % topics.length];
    }

    @Test
    void snapshotDuringIngestRestoresTheAcknowledgedBatchesAndSurvivesARestart() throws Exception {
        String snapshotId;
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, CONFIG))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/src", null).status()).isEqualTo(201);

            AtomicInteger started = new AtomicInteger(), acked = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService writer = Executors.newSingleThreadExecutor();
            int ackedBefore, startedAfter;
            JsonNode snap;
            try {
                Future<?> writing = writer.submit(() -> {
                    for (int b = 0; b < MAX_BATCHES && !stop.get(); b++) {
                        List<Map<String, Object>> docs = new ArrayList<>();
                        for (int i = 0; i < BATCH; i++) docs.add(HttpApiTest.doc("b" + b + "-" + i, text(b, i), Map.of()));
                        started.incrementAndGet();
                        var r = api.post("/collections/src/documents", json(Map.of("documents", docs)));
                        if (r.status() != 200) throw new AssertionError("ingest: " + r.raw());
                        acked.incrementAndGet();
                    }
                    return null;
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (acked.get() < 4 && System.nanoTime() < deadline) Thread.sleep(5);
                ackedBefore = acked.get();
                var reply = api.post("/collections/src/snapshots", "");
                startedAfter = started.get();
                assertThat(reply.status()).as(reply.raw()).isEqualTo(201);
                snap = reply.body();
                stop.set(true);
                writing.get(300, TimeUnit.SECONDS);
            } finally {
                writer.shutdownNow();
            }
            snapshotId = snap.path("id").asText();
            assertThat(snap.path("collection").asText()).isEqualTo("src");
            assertThat(snap.path("lsn").asLong()).isPositive();
            assertThat(snap.path("bytes").asLong()).isPositive();
            assertThat(snap.path("created").asText()).isNotEmpty();
            long documents = snap.path("documents").asLong();
            // Whole batches, every one acknowledged before the request, none started after its reply.
            assertThat(documents % BATCH).isZero();
            long batches = documents / BATCH;
            assertThat(batches).isBetween((long) ackedBefore, (long) startedAfter);
            assertThat(acked.get()).as("the writer went on after the snapshot").isGreaterThan((int) batches);

            // The archive, downloaded and restored into a new collection.
            Path archive = download(server.port(), "/collections/src/snapshots/" + snapshotId, files.resolve("snap.tar"));
            var restored = postFile(server.port(), "/collections/copy/restore", archive);
            assertThat(restored.statusCode()).as(restored.body()).isEqualTo(201);
            assertThat(api.get("/collections/copy").body().path("documents").asLong()).isEqualTo(documents);
            assertThat(api.get("/collections/copy/documents/b" + (batches - 1) + "-0").status()).isEqualTo(200);
            assertThat(api.get("/collections/copy/documents/b" + batches + "-0").status()).isEqualTo(404);
            assertThat(api.get("/collections/copy/documents/b0-3").body().path("text").asText()).isEqualTo(text(0, 3));

            // A second snapshot of the source, now still, restored by reference: it answers every query as the source does.
            String still = api.post("/collections/src/snapshots", "").body().path("id").asText();
            var fromStored = api.post("/collections/copy2/restore", json(Map.of("from", Map.of("collection", "src", "snapshot", still))));
            assertThat(fromStored.status()).as(fromStored.raw()).isEqualTo(201);
            for (String q : QUERIES) {
                for (String mode : List.of("dense", "lexical", "hybrid")) {
                    String body = json(Map.of("query", q, "k", 10, "mode", mode));
                    JsonNode a = api.post("/collections/src/search", body).body().path("hits");
                    JsonNode b = api.post("/collections/copy2/search", body).body().path("hits");
                    assertThat(b).as("%s (%s)", q, mode).isEqualTo(a);
                    assertThat(a).isNotEmpty();
                }
            }

            // Restoring onto an existing collection is a 409, whichever way.
            var onto = postFile(server.port(), "/collections/copy/restore", archive);
            assertThat(onto.statusCode()).isEqualTo(409);
            assertThat(api.post("/collections/src/restore", json(Map.of("from", Map.of("collection", "src", "snapshot", still))))
                    .errorCode()).isEqualTo("collection_exists");

            // A damaged archive (one byte flipped inside a file, or cut short) is a 400 and leaves no collection.
            Path flipped = files.resolve("flipped.tar");
            Files.copy(archive, flipped);
            flipByteNear(flipped, Files.size(flipped) / 2);
            Path cut = files.resolve("cut.tar");
            try (FileChannel in = FileChannel.open(archive); FileChannel out = FileChannel.open(cut, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                in.transferTo(0, Files.size(archive) * 2 / 3, out);
            }
            Path garbage = files.resolve("garbage.tar");
            Files.writeString(garbage, "this is not an archive at all ".repeat(100));
            for (Path bad : List.of(flipped, cut, garbage)) {
                var r = postFile(server.port(), "/collections/damaged/restore", bad);
                assertThat(r.statusCode()).as(bad + ": " + r.body()).isEqualTo(400);
                assertThat(ApiClient.parse(r.body()).path("error").path("code").asText()).isEqualTo("bad_request");
                assertThat(api.get("/collections/damaged").status()).isEqualTo(404);
                assertThat(dataDir.resolve("collections/damaged")).doesNotExist();
            }

            // Whole-server backup: one snapshot per collection.
            var all = api.post("/snapshots", "");
            assertThat(all.status()).as(all.raw()).isEqualTo(201);
            assertThat(all.body().path("snapshots")).extracting(s -> s.path("collection").asText()).containsExactly("copy", "copy2", "src");
        }

        // After a restart: the snapshots are listed (and not as collections), and one can be deleted.
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, CONFIG))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.get("/collections").body().path("collections")).extracting(c -> c.path("name").asText())
                    .containsExactly("copy", "copy2", "src");
            JsonNode list = api.get("/collections/src/snapshots").body().path("snapshots");
            assertThat(list).hasSize(3);
            assertThat(list.get(0).path("id").asText()).isEqualTo(snapshotId);
            assertThat(api.delete("/collections/src/snapshots/" + snapshotId).status()).isEqualTo(200);
            assertThat(api.delete("/collections/src/snapshots/" + snapshotId).status()).isEqualTo(404);
            assertThat(api.get("/collections/src/snapshots").body().path("snapshots")).hasSize(2)
                    .noneMatch(s -> s.path("id").asText().equals(snapshotId));
            assertThat(api.get("/collections/src/snapshots/" + snapshotId).status()).isEqualTo(404);
            assertThat(api.get("/collections/src/snapshots/not-an-id").errorCode()).isEqualTo("bad_request");
            assertThat(api.get("/collections/nothing/snapshots").status()).isEqualTo(404);
        }
    }

    private static Path download(int port, String path, Path to) throws Exception {
        HttpResponse<Path> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(120)).GET().build(), HttpResponse.BodyHandlers.ofFile(to));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/x-tar");
        return to;
    }

    private static HttpResponse<String> postFile(int port, String path, Path file) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void flipByteNear(Path file, long at) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            ch.write(b, at);
        }
    }
}
