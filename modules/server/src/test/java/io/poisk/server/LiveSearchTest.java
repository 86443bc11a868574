package io.poisk.server;

import io.poisk.engine.LiveSearchStats;
import io.poisk.server.live.LiveSearchLimits;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/** WebSocket live search, its SSE fallback and the counters, against a real server and the default model. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class LiveSearchTest {
    /** Long enough that embedding one query takes longer than the 5 ms between keystrokes. */
    static final String LONG_QUERY = "Which river flows through the old capital of the country, and which bridges and "
            + "cathedrals were built along its banks during the reign of the first emperor after the great war, "
            + "according to the chroniclers of the monastery near the northern border?";

    @TempDir
    static Path dataDir;
    PoiskServer server;
    ApiClient api;

    @BeforeAll
    void startServer() {
        server = PoiskServer.start(TestServers.config(dataDir, Map.of()));
        api = new ApiClient(server.port());
        assertThat(api.put("/collections/live", null).status()).isEqualTo(201);
        List<Map<String, Object>> docs = new ArrayList<>();
        String[] texts = {
                "The Volga flows through Kazan and many old cities of Russia.",
                "Paris has the Seine river and the Notre-Dame cathedral on its banks.",
                "Bread is baked from flour, water, salt and yeast.",
                "The emperor built bridges across the river after the war.",
                "Chess is played on a board of sixty-four squares.",
                "<script>alert('x')</script> markup in a document is only text."};
        for (int i = 0; i < texts.length; i++) docs.add(Map.of("id", "d" + i, "text", texts[i]));
        assertThat(api.post("/collections/live/documents", json(Map.of("documents", docs))).status()).isEqualTo(200);
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    static ApiClient api(PoiskServer server) {
        return new ApiClient(server.port());
    }

    static String query(long id, String query) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("collection", "live");
        m.put("query", query);
        m.put("k", 3);
        return json(m);
    }

    @Test
    void answersFinalWithHitsForOneQuery() throws Exception {
        try (LiveSearchClient ws = new LiveSearchClient(server.port())) {
            ws.send(query(1, "river through a city"));
            JsonNode fin = ws.await(LiveSearchClient.id(1, "final"), 60_000);
            assertThat(fin.path("hits")).hasSize(3);
            assertThat(fin.path("hits").get(0).path("id").asText()).isIn("d0", "d1", "d3");
            assertThat(fin.path("hits").get(0).path("score").isNumber()).isTrue();
            assertThat(fin.has("took_ms")).isTrue();
        }
    }

    @Test
    void newerIdsCancelTheWorkOfOlderOnes() throws Exception {
        // Warm the model so the keystrokes measure queries, not the first load.
        try (LiveSearchClient warm = new LiveSearchClient(server.port())) {
            warm.send(query(1, LONG_QUERY));
            warm.await(LiveSearchClient.id(1, "final"), 60_000);
        }
        LiveSearchStats stats = server.liveStats();
        long started0 = stats.startedCount(), completed0 = stats.completedCount(), cancelled0 = stats.cancelledCount();
        long superseded0 = stats.supersededCount(), searches0 = stats.indexSearchesRun();
        try (LiveSearchClient ws = new LiveSearchClient(server.port())) {
            for (int id = 1; id <= 20; id++) {
                ws.send(query(id, LONG_QUERY.substring(0, LONG_QUERY.length() - 20 + id)));
                Thread.sleep(5);
            }
            JsonNode last = ws.await(LiveSearchClient.id(20, "final"), 60_000);
            assertThat(last.path("hits")).isNotEmpty();
            Thread.sleep(300); // let superseded work that was already running end
            long started = stats.startedCount() - started0;
            long completed = stats.completedCount() - completed0;
            long cancelled = stats.cancelledCount() - cancelled0;
            long superseded = stats.supersededCount() - superseded0;
            long searches = stats.indexSearchesRun() - searches0;
            System.out.printf("20 keystrokes: completed=%d cancelled=%d superseded=%d index_searches_run=%d stages=%s%n",
                    completed, cancelled, superseded, searches, stats.snapshot().get("cancelled_in_stage"));
            assertThat(started).isEqualTo(20);
            assertThat(completed + cancelled).isEqualTo(20);
            assertThat(superseded).isEqualTo(cancelled);
            assertThat(cancelled).as("superseded queries cancelled, not completed").isGreaterThanOrEqualTo(10);
            assertThat(searches).as("index searches that ran").isEqualTo(completed).isLessThan(20);
            // Every cancelled id was told so, naming its successor; no id got both final and cancelled.
            for (JsonNode m : ws.messages) {
                if (m.path("phase").asText().equals("cancelled")) {
                    assertThat(m.path("superseded_by").asLong()).isGreaterThan(m.path("id").asLong());
                }
            }
            assertThat(ws.messages.stream().filter(m -> m.path("phase").asText().equals("cancelled")).count()).isEqualTo(cancelled);
            JsonNode statsJson = api.get("/stats").body().path("live_search");
            assertThat(statsJson.path("superseded").asLong()).isGreaterThanOrEqualTo(superseded);
            assertThat(statsJson.path("cancelled_in_stage").has("embedding")).isTrue();
        }
    }

    @Test
    void theLastKeystrokeIsAnsweredWhenEverySlotIsTaken(@TempDir Path ownData) throws Exception {
        // One slot: each keystroke arrives while the one before still holds engine work.
        try (PoiskServer one = PoiskServer.start(TestServers.config(ownData, Map.of("live.max_in_flight", "1")))) {
            ApiClient client = api(one);
            assertThat(client.put("/collections/live", null).status()).isEqualTo(201);
            assertThat(client.post("/collections/live/documents", json(Map.of("documents", List.of(
                    Map.of("id", "v", "text", "The Volga flows through Kazan."))))).status()).isEqualTo(200);
            LiveSearchStats stats = one.liveStats();
            try (LiveSearchClient ws = new LiveSearchClient(one.port())) {
                int keystrokes = 12;
                for (int id = 1; id <= keystrokes; id++) ws.send(query(id, LONG_QUERY.substring(0, LONG_QUERY.length() - keystrokes + id)));
                JsonNode last = ws.await(LiveSearchClient.id(keystrokes, "final"), 60_000);
                assertThat(last.path("hits")).isNotEmpty();
                Thread.sleep(300);
                assertThat(ws.messages).noneMatch(m -> m.path("phase").asText().equals("error"));
                // Every earlier id was answered exactly once: cancelled (superseded, waiting or running) or final.
                for (long id = 1; id < keystrokes; id++) {
                    long answered = id;
                    assertThat(ws.messages.stream().filter(m -> m.path("id").asLong() == answered
                            && (m.path("phase").asText().equals("cancelled") || m.path("phase").asText().equals("final"))))
                            .as("answers for id %d", id).hasSize(1);
                }
                assertThat(stats.startedCount()).isEqualTo(keystrokes);
                assertThat(stats.completedCount() + stats.cancelledCount()).isEqualTo(keystrokes);
                JsonNode stages = api(one).get("/stats").body().path("live_search").path("cancelled_in_stage");
                assertThat(stages.path("waiting").asLong()).as("keystrokes replaced while waiting for the slot").isPositive();
            }
        }
    }

    @Test
    void badFramesGetErrorMessagesAndTheSocketStaysOpen() throws Exception {
        try (LiveSearchClient ws = new LiveSearchClient(server.port())) {
            ws.send("not json");
            assertThat(ws.await(m -> m.path("phase").asText().equals("error"), 5000).path("error").path("code").asText())
                    .isEqualTo("invalid_json");
            ws.send("{\"id\":5,\"collection\":\"live\",\"query\":\"x\",\"k\":0}");
            assertThat(ws.await(LiveSearchClient.id(5, "error"), 5000).path("error").path("message").asText()).contains("'k'");
            ws.send("{\"id\":6,\"collection\":\"nope\",\"query\":\"x\"}");
            assertThat(ws.await(LiveSearchClient.id(6, "error"), 10_000).path("error").path("code").asText())
                    .isEqualTo("collection_not_found");
            ws.send("{\"id\":6,\"collection\":\"live\",\"query\":\"x\"}");
            assertThat(ws.await(m -> m.path("id").asLong() == 6 && m.path("error").path("message").asText().contains("not newer"), 5000))
                    .isNotNull();
            ws.send("{\"id\":7,\"collection\":\"live\",\"query\":\"" + "a".repeat(LiveSearchLimits.DEFAULTS.maxMessageBytes()) + "\"}");
            assertThat(ws.await(LiveSearchClient.id(7, "error"), 5000).path("error").path("code").asText()).isEqualTo("payload_too_large");
            ws.sendBinary(new byte[]{1, 2, 3});
            ws.await(m -> m.path("error").path("message").asText().contains("binary"), 5000);
            ws.send(query(8, "bread"));
            assertThat(ws.await(LiveSearchClient.id(8, "final"), 60_000).path("hits").get(0).path("id").asText()).isEqualTo("d2");
            assertThat(ws.closed).isNotDone();
        }
    }

    @Test
    void streamsTheFinalPhaseAsServerSentEvents() {
        String q = URLEncoder.encode("a game on a board of squares", StandardCharsets.UTF_8);
        HttpResponse<String> r = sse("/collections/live/search/stream?k=2&query=" + q);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        String body = r.body();
        assertThat(body).contains("event: final\ndata: ");
        JsonNode data = ApiClient.parse(body.substring(body.indexOf("data: ") + 6, body.indexOf('\n', body.indexOf("data: "))));
        assertThat(data.path("phase").asText()).isEqualTo("final");
        assertThat(data.path("hits")).hasSize(2);
        assertThat(data.path("hits").get(0).path("id").asText()).isEqualTo("d4");

        HttpResponse<String> bad = sse("/collections/live/search/stream?k=2");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(ApiClient.parse(bad.body()).path("error").path("code").asText()).isEqualTo("invalid_query");
        HttpResponse<String> missing = sse("/collections/nope/search/stream?query=x");
        assertThat(missing.body()).contains("event: error").contains("collection_not_found");
    }

    @Test
    void servesThePageAndTheOpenApiDocument() {
        var page = api.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.raw()).contains("<input id=\"query\"").contains("/ui/app.js");
        assertThat(api.get("/ui/app.js").raw()).contains("/ws/search");
        var doc = api.get("/openapi.yaml");
        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.raw()).startsWith("openapi: 3");
    }

    private HttpResponse<String> sse(String path) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(api.request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
