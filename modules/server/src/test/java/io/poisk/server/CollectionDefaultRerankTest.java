package io.poisk.server;

import io.poisk.server.bus.EventBusApiVerticle;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.json.JsonObject;
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
import java.util.concurrent.TimeUnit;

import static io.poisk.server.ApiClient.json;
import static io.poisk.server.RerankSearchTest.QUERY;
import static io.poisk.server.RerankSearchTest.TEXTS;
import static io.poisk.server.RerankSearchTest.YEAR;
import static io.poisk.server.RerankSearchTest.expectedIds;
import static io.poisk.server.RerankSearchTest.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A collection created with a default reranker: its searches are reranked unless a request names its own
 * reranker or sends {@code "rerank": false}, on every front end, and the default survives a restart.
 * Real tiny rerankers (see {@link TinyRerankers}); expected rankings from the eager Python models.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class CollectionDefaultRerankTest {
    static final String CE = TinyRerankers.CROSS_ENCODER;
    static final String LLM = TinyRerankers.LLM_RERANKER;

    @TempDir
    static Path dir;
    Path models;
    PoiskServer server;
    ApiClient api;
    TinyRerankers.Reference crossEncoder;
    TinyRerankers.Reference llm;

    @BeforeAll
    void start() throws Exception {
        models = TinyRerankers.modelsDir(dir, CE, LLM);
        server = PoiskServer.start(config(dir.resolve("data")));
        api = new ApiClient(server.port());
        create(api, "defaulted", Map.of("rerank", Map.of("model", CE, "top_n", 8)));
        create(api, "plain", Map.of());
        List<TinyRerankers.Reference> refs = TinyRerankers.references(List.of(
                new TinyRerankers.Case(CE, QUERY, YEAR, TEXTS), new TinyRerankers.Case(LLM, QUERY, YEAR, TEXTS)));
        crossEncoder = refs.get(0);
        llm = refs.get(1);
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    io.poisk.core.PoiskConfig config(Path data) {
        return TestServers.config(data, Map.of("models_dir", models.toString()));
    }

    static void create(ApiClient api, String name, Map<String, Object> body) {
        var created = api.put("/collections/" + name, json(body));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) docs.add(Map.of("id", "d" + i, "text", TEXTS.get(i)));
        assertThat(api.post("/collections/" + name + "/documents", json(Map.of("documents", docs))).status()).isEqualTo(200);
    }

    static String search(int k, Object rerank) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", QUERY);
        body.put("instruction", YEAR);
        body.put("k", k);
        if (rerank != null) body.put("rerank", rerank);
        return json(body);
    }

    static void assertReranked(ApiClient.Reply reply, String model, int topN, TinyRerankers.Reference reference, int k) {
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        JsonNode rerank = reply.body().path("rerank");
        assertThat(rerank.path("model").asText()).as(reply.raw()).isEqualTo(model);
        assertThat(rerank.path("top_n").asInt()).isEqualTo(topN);
        assertThat(rerank.path("complete").asBoolean()).isTrue();
        JsonNode hits = reply.body().path("hits");
        if (reference != null) assertThat(ids(hits)).isEqualTo(expectedIds(reference, k));
        for (JsonNode h : hits) {
            assertThat(h.path("reranked").asBoolean()).isTrue();
            assertThat(h.path("first_stage_score").isNumber()).isTrue();
            if (reference != null) {
                int doc = Integer.parseInt(h.path("id").asText().substring(1));
                assertThat(h.path("score").asDouble()).isCloseTo(reference.scores().get(doc), within(1e-3));
            }
        }
    }

    @Test
    void theDescriptionAndTheListShowTheDefault() {
        JsonNode described = api.get("/collections/defaulted").body();
        assertThat(described.path("rerank").path("model").asText()).isEqualTo(CE);
        assertThat(described.path("rerank").path("top_n").asInt()).isEqualTo(8);
        assertThat(api.get("/collections/plain").body().has("rerank")).isTrue();
        assertThat(api.get("/collections/plain").body().path("rerank").isNull()).isTrue();
        JsonNode list = api.get("/collections").body().path("collections");
        List<String> rerankModels = new ArrayList<>();
        list.forEach(c -> rerankModels.add(c.path("name").asText() + ":" + c.path("rerank").path("model").asText("none")));
        assertThat(rerankModels).contains("defaulted:" + CE, "plain:none");
    }

    @Test
    void aSearchWithoutRerankUsesTheDefault() {
        assertReranked(api.post("/collections/defaulted/search", search(8, null)), CE, 8, crossEncoder, 8);
        assertReranked(api.post("/collections/defaulted/search", search(3, null)), CE, 8, crossEncoder, 3);
        // the collection without a default answers first-stage hits only
        JsonNode plain = api.post("/collections/plain/search", search(3, null)).body();
        assertThat(plain.has("rerank")).isFalse();
        assertThat(plain.path("hits").get(0).has("first_stage_score")).isFalse();
    }

    @Test
    void aRequestOverridesTheDefault() {
        assertReranked(api.post("/collections/defaulted/search", search(8, Map.of("model", LLM, "top_n", 8))), LLM, 8, llm, 8);
        // only top_n: the default's model with the request's top_n (the reranked set is the first-stage top 5)
        var topN = api.post("/collections/defaulted/search", search(3, Map.of("top_n", 5)));
        assertReranked(topN, CE, 5, null, 3);
        List<String> firstStageTop5 = ids(api.post("/collections/defaulted/search", search(5, false)).body().path("hits"));
        List<String> expected = crossEncoder.order().stream().map(i -> "d" + i).filter(firstStageTop5::contains).limit(3).toList();
        assertThat(ids(topN.body().path("hits"))).isEqualTo(expected);
        // a default top_n below k is raised to k
        create(api, "narrow", Map.of("rerank", Map.of("model", CE, "top_n", 2)));
        assertReranked(api.post("/collections/narrow/search", search(4, null)), CE, 4, null, 4);
        assertReranked(api.post("/collections/narrow/search", search(1, null)), CE, 2, null, 1);
    }

    @Test
    void falseSwitchesTheDefaultOffAndNullIsRefused() {
        var off = api.post("/collections/defaulted/search", search(5, false));
        assertThat(off.status()).as(off.raw()).isEqualTo(200);
        assertThat(off.body().has("rerank")).isFalse();
        assertThat(off.body().path("hits").get(0).has("first_stage_score")).isFalse();
        assertThat(ids(off.body().path("hits"))).isEqualTo(ids(api.post("/collections/plain/search", search(5, null)).body().path("hits")));

        var nul = api.post("/collections/defaulted/search", "{\"query\":\"x\",\"rerank\":null}");
        assertThat(nul.status()).isEqualTo(400);
        assertThat(nul.errorCode()).isEqualTo("invalid_query");
        assertThat(nul.errorMessage()).contains("'rerank' may not be null").contains("\"rerank\":false");
        var yes = api.post("/collections/defaulted/search", "{\"query\":\"x\",\"rerank\":true}");
        assertThat(yes.status()).isEqualTo(400);
        assertThat(yes.errorMessage()).contains("'rerank' may not be true");

        var noDefault = api.post("/collections/plain/search", search(3, Map.of("top_n", 5)));
        assertThat(noDefault.status()).isEqualTo(400);
        assertThat(noDefault.errorMessage()).contains("'rerank.model' is missing").contains("no default reranker").contains(CE);
    }

    @Test
    void badDefaultsAre400sAndCreateNothing() {
        var unknown = api.put("/collections/bad", json(Map.of("rerank", Map.of("model", "no-such-reranker"))));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorCode()).isEqualTo("unknown_model");
        assertThat(unknown.errorMessage()).contains("'rerank.model'").contains("no-such-reranker").contains(CE).contains(LLM)
                .doesNotContain("e5-small-v2");

        var embedder = api.put("/collections/bad", json(Map.of("rerank", Map.of("model", "e5-small-v2"))));
        assertThat(embedder.status()).isEqualTo(400);
        assertThat(embedder.errorMessage()).contains("'rerank.model'").contains("is an embedder, not a reranker").contains(CE);

        for (Object topN : List.of(0, 1001, "ten", 2.5)) {
            var bad = api.put("/collections/bad", json(Map.of("rerank", Map.of("model", CE, "top_n", topN))));
            assertThat(bad.status()).as("top_n %s", topN).isEqualTo(400);
            assertThat(bad.errorMessage()).contains("'rerank.top_n' must be an integer between 1 and 1000");
        }
        var notObject = api.put("/collections/bad", json(Map.of("rerank", CE)));
        assertThat(notObject.status()).isEqualTo(400);
        assertThat(notObject.errorMessage()).contains("'rerank' must be an object");
        var noModel = api.put("/collections/bad", json(Map.of("rerank", Map.of("top_n", 5))));
        assertThat(noModel.status()).isEqualTo(400);
        assertThat(noModel.errorMessage()).contains("'rerank.model' must be a reranker card id");
        var extra = api.put("/collections/bad", json(Map.of("rerank", Map.of("model", CE, "budget", 5))));
        assertThat(extra.status()).isEqualTo(400);
        assertThat(extra.errorMessage()).contains("unknown property 'rerank.budget'");
        assertThat(api.get("/collections/bad").status()).isEqualTo(404);
    }

    @Test
    void reCreatingIsIdempotentOnlyWithTheSameDefault() {
        assertThat(api.put("/collections/defaulted", json(Map.of("rerank", Map.of("model", CE, "top_n", 8)))).status()).isEqualTo(200);
        var other = api.put("/collections/defaulted", json(Map.of("rerank", Map.of("model", LLM))));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.errorMessage()).contains(CE).contains(LLM);
    }

    @Test
    void webSocketAndServerSentEventsUseTheDefault() throws Exception {
        try (LiveSearchClient ws = new LiveSearchClient(server.port())) {
            ws.send(json(Map.of("id", 1, "collection", "defaulted", "query", QUERY, "instruction", YEAR, "k", 4)));
            JsonNode fin = ws.await(LiveSearchClient.id(1, "final"), 60_000);
            ws.await(LiveSearchClient.id(1, "candidates"), 1_000);
            assertThat(ids(fin.path("hits"))).isEqualTo(expectedIds(crossEncoder, 4));
            assertThat(fin.path("rerank").path("model").asText()).isEqualTo(CE);

            ws.send(json(Map.of("id", 2, "collection", "defaulted", "query", QUERY, "instruction", YEAR, "k", 4, "rerank", false)));
            JsonNode off = ws.await(LiveSearchClient.id(2, "final"), 60_000);
            assertThat(off.has("rerank")).isFalse();
            assertThat(ws.messages).noneMatch(m -> m.path("id").asInt() == 2 && m.path("phase").asText().equals("candidates"));
        }
        String base = "/collections/defaulted/search/stream?k=3&query=" + URLEncoder.encode(QUERY, StandardCharsets.UTF_8)
                + "&instruction=" + URLEncoder.encode(YEAR, StandardCharsets.UTF_8);
        String reranked = sse(base);
        assertThat(reranked).contains("event: candidates\n");
        String finalData = reranked.substring(reranked.indexOf("event: final\n")).lines()
                .filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
        assertThat(ids(ApiClient.parse(finalData).path("hits"))).isEqualTo(expectedIds(crossEncoder, 3));
        String off = sse(base + "&rerank=false");
        assertThat(off).contains("event: final\n").doesNotContain("event: candidates").doesNotContain("first_stage_score");
    }

    private String sse(String path) throws Exception {
        HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(api.request(path).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    @Test
    void theEventBusCreatesAndSearchesWithTheDefault() throws Exception {
        EventBusApiTest.OtherService service = new EventBusApiTest.OtherService();
        server.vertx().deployVerticle(service).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        var created = service.ask(EventBusApiVerticle.COLLECTIONS, new JsonObject().put("action", "create").put("name", "bus")
                .put("rerank", new JsonObject().put("model", LLM).put("top_n", 8))).get(60, TimeUnit.SECONDS);
        assertThat(((JsonObject) created.body()).getJsonObject("rerank").getString("model")).isEqualTo(LLM);
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) docs.add(Map.of("id", "d" + i, "text", TEXTS.get(i)));
        assertThat(api.post("/collections/bus/documents", json(Map.of("documents", docs))).status()).isEqualTo(200);
        var found = service.ask(EventBusApiVerticle.SEARCH, new JsonObject().put("collection", "bus").put("query", QUERY)
                .put("instruction", YEAR).put("k", 8)).get(60, TimeUnit.SECONDS);
        JsonNode body = ApiClient.parse(((JsonObject) found.body()).encode());
        assertThat(body.path("rerank").path("model").asText()).isEqualTo(LLM);
        assertThat(ids(body.path("hits"))).isEqualTo(expectedIds(llm, 8));
        var off = service.ask(EventBusApiVerticle.SEARCH, new JsonObject().put("collection", "bus").put("query", QUERY)
                .put("k", 8).put("rerank", false)).get(60, TimeUnit.SECONDS);
        assertThat(((JsonObject) off.body()).containsKey("rerank")).isFalse();
    }

    @Test
    void theDefaultSurvivesARestart() {
        Path data = dir.resolve("restart-data");
        try (PoiskServer first = PoiskServer.start(config(data))) {
            create(new ApiClient(first.port()), "kept", Map.of("rerank", Map.of("model", CE)));
        }
        try (PoiskServer second = PoiskServer.start(config(data))) {
            ApiClient again = new ApiClient(second.port());
            JsonNode described = again.get("/collections/kept").body();
            assertThat(described.path("rerank").path("model").asText()).isEqualTo(CE);
            assertThat(described.path("rerank").has("top_n")).as("top_n left to rerank.default_top_n").isFalse();
            // top_n from rerank.default_top_n (50), of which the collection holds 8
            assertReranked(again.post("/collections/kept/search", search(8, null)), CE, 8, crossEncoder, 8);
        }
    }
}
