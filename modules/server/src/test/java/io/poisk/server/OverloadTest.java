package io.poisk.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/** A full inference queue answers 429 at once instead of queueing without bound, and never 5xx. */
@Tag("model")
class OverloadTest {
    @TempDir
    Path dataDir;

    @Test
    void fullInferenceQueueAnswers429() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of(
                "embedding.queue_capacity", "2", "embedding.max_batch", "2", "embedding.max_wait_ms", "0")))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/flood", null).status()).isEqualTo(201);
            var ok = api.post("/collections/flood/documents", json(Map.of("documents", List.of(
                    HttpApiTest.doc("a", "The quick brown fox jumps over the lazy dog.", Map.of()),
                    HttpApiTest.doc("b", "A journey of a thousand miles begins with a single step.", Map.of()),
                    HttpApiTest.doc("c", "All that glitters is not gold.", Map.of())))));
            assertThat(ok.status()).as(ok.raw()).isEqualTo(200);

            // HTTP/1.1: one connection per request, so the flood is not capped by HTTP/2 stream limits.
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                HttpRequest req = api.request("/collections/flood/search").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json(Map.of("query", "query number " + i + " about foxes and gold", "k", 2))))
                        .build();
                replies.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()));
            }
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
            Map<Integer, Long> byStatus = replies.stream().map(CompletableFuture::join)
                    .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
            assertThat(byStatus.keySet()).as("statuses %s", byStatus).containsOnly(200, 429).contains(200, 429);
            HttpResponse<String> rejected = replies.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 429)
                    .findFirst().orElseThrow();
            assertThat(ApiClient.parse(rejected.body()).path("error").path("code").asText()).isEqualTo("overloaded");

            // Once the flood is over, the server serves normally again.
            var after = api.post("/collections/flood/search", "{\"query\":\"fox and dog\",\"k\":1}");
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.body().path("hits").get(0).path("id").asText()).isEqualTo("a");
        }
    }
}
