package io.poisk.server.http;

import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import io.poisk.server.PoiskServer;
import io.poisk.server.wire.ApiLimits;
import io.poisk.server.wire.RequestDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A large JSON body is decoded off the event loop: with one event loop serving everything, a 30 MB
 * batch that takes the decoder a good fraction of a second leaves health probes on the same loop
 * answered within a fraction of that time. (Decoded on the loop, every probe would wait for the parse.)
 */
class LargeBodyDecodingTest {
    @TempDir
    Path dataDir;

    @Test
    void aThirtyMegabyteBatchDoesNotHoldTheEventLoop() throws Exception {
        Map<String, String> overrides = Map.of("http.event_loops", "1", "max_documents_per_request", "200000",
                "max_request_bytes", String.valueOf(64 << 20));
        PoiskConfig config = io.poisk.server.TestServersAccess.config(dataDir, overrides);
        byte[] body = batchWithABadLastDocument(60_000);
        assertThat(body.length).isGreaterThan(25 << 20);

        // how long the decoding takes on this machine, warmed
        RequestDecoder decoder = new RequestDecoder(ApiLimits.from(config));
        long parseMs = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t = System.nanoTime();
            assertThatThrownBy(() -> decoder.documentBatch(body)).isInstanceOf(PoiskException.class);
            parseMs = Math.min(parseMs, (System.nanoTime() - t) / 1_000_000);
        }

        try (PoiskServer server = PoiskServer.start(config)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            URI base = URI.create("http://127.0.0.1:" + server.port());
            assertThat(http.send(HttpRequest.newBuilder(base.resolve("/collections/big")).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
            probe(http, base); // connection and JIT warm

            AtomicBoolean done = new AtomicBoolean();
            AtomicLong worstProbeMs = new AtomicLong();
            CompletableFuture<Void> probes = CompletableFuture.runAsync(() -> {
                long until = System.nanoTime() + Duration.ofSeconds(60).toNanos(); // bounded even if the upload hangs
                while (!done.get() && System.nanoTime() < until) {
                    worstProbeMs.accumulateAndGet(probe(http, base), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/collections/big/documents"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            done.set(true);
            probes.get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
            assertThat(r.body()).contains("documents[59999]");
            // The decoder needs parseMs; probes on the one loop never waited that long.
            assertThat(worstProbeMs.get()).as("worst probe %d ms, decoding %d ms", worstProbeMs.get(), parseMs)
                    .isLessThan(Math.max(parseMs / 2, 1));
        }
    }

    private static long probe(HttpClient http, URI base) {
        long t = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        } catch (Exception e) {
            throw new AssertionError("probe failed", e);
        }
        return (System.nanoTime() - t) / 1_000_000;
    }

    /** {"documents":[…]} with n documents of ~500 bytes, the last one without an id (a 400 once all is parsed). */
    private static byte[] batchWithABadLastDocument(int n) {
        StringBuilder sb = new StringBuilder(n * 520).append("{\"documents\":[");
        String text = "Съешь же ещё этих мягких французских булок, да выпей чаю. ".repeat(4);
        for (int i = 0; i < n - 1; i++) {
            sb.append("{\"id\":\"d").append(i).append("\",\"text\":\"").append(text).append(i).append("\",\"fields\":{\"n\":").append(i).append("}},");
        }
        sb.append("{\"text\":\"no id\"}]}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
