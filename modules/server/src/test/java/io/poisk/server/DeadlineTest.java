package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.server.bus.EventBusApiVerticle;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Request deadlines on a real server with the default model. The default deadline is 1 ms, so every request the
 * test wants to finish asks for a long one; a partial inference batch waits 150 ms for company, so a query text
 * is still queued when a 1 ms deadline passes: the engine must drop it (the model then embeds nothing), which
 * cutting the reply alone would not do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class DeadlineTest {
    private static final String MODEL = "e5-small-v2";
    private static final String LONG = "60000";
    private static final AtomicInteger QUERIES = new AtomicInteger();

    @TempDir
    static Path dataDir;
    PoiskServer server;
    ApiClient api;

    @BeforeAll
    void start() {
        server = PoiskServer.start(TestServers.config(dataDir, Map.of("limits.request_timeout_ms", "1",
                "limits.max_request_timeout_ms", "120000", "embedding.max_wait_ms", "150",
                // a batch that is not full waits for company: with the default of 2, a text left queued by an earlier
                // search and this one's would fill it and go to the model at once, before the deadline drops it
                "embedding.max_batch", "32")));
        api = new ApiClient(server.port());
        assertThat(send("PUT", "/collections/dl", null, LONG).status()).isEqualTo(201);
        var indexed = send("POST", "/collections/dl/documents", json(Map.of("documents", List.of(
                Map.of("id", "quokka", "text", "The quokka is a small marsupial found on Rottnest Island."),
                Map.of("id", "tram", "text", "Lisbon trams climb the steep hills of the Alfama district.")))), LONG);
        assertThat(indexed.status()).as(indexed.raw()).isEqualTo(200);
        assertThat(server.engine().embeddingStats(MODEL)).as("the model is loaded before anything is timed").isNotNull();
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    /** A query no earlier search embedded (the query-embedding cache would answer a repeated one without inference). */
    private static String coldQuery() {
        return "small animals of island number " + QUERIES.incrementAndGet();
    }

    private ApiClient.Reply send(String method, String path, String body, String requestTimeout) {
        HttpRequest.Builder b = api.request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (requestTimeout != null) b.header("Request-Timeout", requestTimeout);
        return api.send(b.build());
    }

    private long inferredTexts() {
        return server.engine().embeddingStats(MODEL).texts();
    }

    /** Waits past the batcher's 150 ms window, so a text that was not dropped has been embedded. */
    private static void pastTheBatchWindow() throws InterruptedException {
        Thread.sleep(600);
    }

    @Test
    void aSearchPastItsDeadlineIs504AndItsInferenceNeverRuns() throws Exception {
        long texts = inferredTexts();
        long exceeded = server.engine().deadlineStats().exceededCount();
        long t0 = System.nanoTime();
        var reply = send("POST", "/collections/dl/search", json(Map.of("query", coldQuery(), "timeout_ms", 1)), null);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(reply.status()).as(reply.raw()).isEqualTo(504);
        assertThat(reply.errorCode()).isEqualTo("deadline_exceeded");
        assertThat(reply.errorMessage()).contains("deadline of 1 ms").containsPattern("stage '(lookup|embedding)'");
        System.out.println("deadline 504 after " + ms + " ms");
        assertThat(ms).as("answered at the deadline, well under a second").isLessThan(1000);
        pastTheBatchWindow();
        assertThat(inferredTexts()).as("the queued query text was dropped, never embedded").isEqualTo(texts);
        assertThat(server.engine().deadlineStats().exceededCount()).isEqualTo(exceeded + 1);
        assertThat(api.get("/stats").body().path("deadlines_exceeded").asLong()).isEqualTo(exceeded + 1);

        // the header does the same; a search that asks for enough time gets its hits
        var byHeader = send("POST", "/collections/dl/search", json(Map.of("query", coldQuery())), "1");
        assertThat(byHeader.status()).as(byHeader.raw()).isEqualTo(504);
        var inTime = send("POST", "/collections/dl/search", json(Map.of("query", "a marsupial", "timeout_ms", 60000)), null);
        assertThat(inTime.status()).as(inTime.raw()).isEqualTo(200);
        assertThat(inTime.body().path("hits").get(0).path("id").asText()).isEqualTo("quokka");
        // timeout_ms wins over the header
        var bodyWins = send("POST", "/collections/dl/search", json(Map.of("query", "a marsupial", "timeout_ms", 60000)), "1");
        assertThat(bodyWins.status()).as(bodyWins.raw()).isEqualTo(200);
    }

    @Test
    void theDefaultDeadlineAppliesWhenNoneIsAsked() throws Exception {
        long texts = inferredTexts();
        var reply = send("POST", "/collections/dl/search", json(Map.of("query", coldQuery())), null);
        assertThat(reply.status()).as(reply.raw()).isEqualTo(504);
        assertThat(reply.errorCode()).isEqualTo("deadline_exceeded");
        pastTheBatchWindow();
        assertThat(inferredTexts()).isEqualTo(texts);
    }

    @Test
    void aDeadlineAboveTheMaximumIs400NamingTheKey() {
        var body = send("POST", "/collections/dl/search", json(Map.of("query", "x", "timeout_ms", 120001)), null);
        assertThat(body.status()).as(body.raw()).isEqualTo(400);
        assertThat(body.errorMessage()).contains("limits.max_request_timeout_ms").contains("120000");
        var header = send("POST", "/collections/dl/search", json(Map.of("query", "x")), "120001");
        assertThat(header.status()).isEqualTo(400);
        assertThat(header.errorMessage()).contains("limits.max_request_timeout_ms");
        var ingest = send("POST", "/collections/dl/documents", json(Map.of("documents", List.of())), "999999");
        assertThat(ingest.status()).isEqualTo(400);
        assertThat(ingest.errorMessage()).contains("limits.max_request_timeout_ms");
        for (String bad : List.of("abc", "0", "-5", "1.5")) {
            var r = send("GET", "/collections/dl", null, bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.errorMessage()).contains("Request-Timeout");
        }
        var zero = send("POST", "/collections/dl/search", json(Map.of("query", "x", "timeout_ms", 0)), null);
        assertThat(zero.status()).isEqualTo(400);
        assertThat(zero.errorMessage()).contains("timeout_ms");
    }

    @Test
    void liveQueriesGetTheErrorMessage() throws Exception {
        long texts = inferredTexts();
        long failed = server.engine().liveStats().snapshot().get("failed") instanceof Long n ? n : -1;
        try (LiveSearchClient ws = new LiveSearchClient(server.port())) {
            ws.send(json(Map.of("id", 1, "collection", "dl", "query", coldQuery(), "timeout_ms", 1)));
            JsonNode error = ws.await(LiveSearchClient.id(1, "error"), 5000);
            assertThat(error.path("error").path("code").asText()).isEqualTo("deadline_exceeded");
            ws.send(json(Map.of("id", 2, "collection", "dl", "query", "a tram", "timeout_ms", 60000)));
            assertThat(ws.await(LiveSearchClient.id(2, "final"), 30000).path("hits").get(0).path("id").asText()).isEqualTo("tram");
        }
        String q = URLEncoder.encode(coldQuery(), StandardCharsets.UTF_8);
        HttpResponse<String> sse = java.net.http.HttpClient.newHttpClient().send(
                api.request("/collections/dl/search/stream?timeout_ms=1&query=" + q).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(sse.statusCode()).isEqualTo(200);
        assertThat(sse.body()).contains("event: error").contains("\"deadline_exceeded\"").doesNotContain("event: final");
        pastTheBatchWindow();
        assertThat(inferredTexts()).as("neither live query's text was embedded (the tram query was)").isEqualTo(texts + 1);
        assertThat(server.engine().liveStats().snapshot().get("failed")).isEqualTo(failed + 2);
    }

    @Test
    void anEventBusSearchPastItsDeadlineFails504() {
        var reply = server.vertx().eventBus().request(EventBusApiVerticle.SEARCH,
                new JsonObject().put("collection", "dl").put("query", coldQuery()).put("timeout_ms", 1));
        assertThatThrownBy(() -> reply.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(ReplyException.class, e -> {
                    assertThat(e.failureCode()).isEqualTo(504);
                    assertThat(e.getMessage()).contains("deadline_exceeded");
                });
    }

    @Test
    void anIngestCutByItsDeadlineIs503AndItsDocumentsAreStillIndexed() throws Exception {
        var cut = send("POST", "/collections/dl/documents", json(Map.of("documents", List.of(
                Map.of("id", "late-1", "text", "Sourdough bread rises slowly with wild yeast."),
                Map.of("id", "late-2", "text", "A kettle whistles when the water boils.")))), "1");
        assertThat(cut.status()).as(cut.raw()).isEqualTo(503);
        assertThat(cut.errorCode()).isEqualTo("unavailable");
        assertThat(cut.errorMessage()).contains("deadline of 1 ms").contains("retry");
        // the write goes on server-side: both documents appear (bounded wait)
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int found = 0;
        while (System.nanoTime() < until && found < 2) {
            found = 0;
            for (String id : List.of("late-1", "late-2")) {
                if (send("GET", "/collections/dl/documents/" + id, null, LONG).status() == 200) found++;
            }
            if (found < 2) Thread.sleep(50);
        }
        assertThat(found).isEqualTo(2);
        // the default (1 ms) applies to other routes too, and a route served within its own deadline is a 200
        assertThat(send("GET", "/collections/dl", null, LONG).status()).isEqualTo(200);
    }
}
