package io.poisk.server;

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
import static org.assertj.core.api.Assertions.within;

/**
 * Reranked search end to end over HTTP, WebSocket and SSE, with the default embedder and real tiny
 * rerankers; expected rankings come from the eager Python models (src/test/python/rerank_reference.py).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class RerankSearchTest {
    static final List<String> TEXTS = List.of(
            "Paris is the capital and most populous city of France.",
            "The Volga flows through Kazan and many old cities of Russia.",
            "Москва впервые упоминается в летописи под 1147 годом.",
            "Bread is baked from flour, water, salt and yeast.",
            "Нормандское завоевание Англии произошло в 1066 году.",
            "Chess is played on a board of sixty-four squares.",
            "Париж — столица и крупнейший город Франции.",
            "The emperor built bridges across the river after the war.");
    static final String QUERY = "capital of France";
    static final String YEAR = "Relevant documents mention a year.";
    static final String RUSSIAN = "Документ должен быть на русском языке.";

    @TempDir
    static Path dir;
    PoiskServer server;
    PoiskServer budgetless;
    ApiClient api;
    /** Reference rankings by (model, instruction), computed once. */
    final Map<String, TinyRerankers.Reference> references = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        Path models = TinyRerankers.modelsDir(dir, TinyRerankers.CROSS_ENCODER, TinyRerankers.LLM_RERANKER);
        server = PoiskServer.start(TestServers.config(dir.resolve("data"), Map.of("models_dir", models.toString())));
        api = new ApiClient(server.port());
        index(api);
        budgetless = PoiskServer.start(TestServers.config(dir.resolve("data-budget"), Map.of("models_dir", models.toString(),
                "rerank.budget_ms", "0")));
        index(new ApiClient(budgetless.port()));
        List<TinyRerankers.Case> cases = new ArrayList<>();
        for (String model : List.of(TinyRerankers.CROSS_ENCODER, TinyRerankers.LLM_RERANKER)) {
            for (String instruction : List.of(YEAR, RUSSIAN)) cases.add(new TinyRerankers.Case(model, QUERY, instruction, TEXTS));
        }
        List<TinyRerankers.Reference> computed = TinyRerankers.references(cases);
        for (int i = 0; i < cases.size(); i++) references.put(cases.get(i).model() + "|" + cases.get(i).instruction(), computed.get(i));
    }

    TinyRerankers.Reference reference(String model, String instruction) {
        return references.get(model + "|" + instruction);
    }

    static void index(ApiClient api) {
        assertThat(api.put("/collections/docs", null).status()).isEqualTo(201);
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = 0; i < TEXTS.size(); i++) docs.add(Map.of("id", "d" + i, "text", TEXTS.get(i)));
        assertThat(api.post("/collections/docs/documents", json(Map.of("documents", docs))).status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
        if (budgetless != null) budgetless.close();
    }

    static String search(String instruction, int k, Object rerank) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", QUERY);
        if (instruction != null) body.put("instruction", instruction);
        body.put("k", k);
        if (rerank != null) body.put("rerank", rerank);
        return json(body);
    }

    static List<String> ids(JsonNode hits) {
        List<String> ids = new ArrayList<>();
        hits.forEach(h -> ids.add(h.path("id").asText()));
        return ids;
    }

    static List<String> expectedIds(TinyRerankers.Reference reference, int k) {
        return reference.order().stream().limit(k).map(i -> "d" + i).toList();
    }

    @Test
    void twoInstructionsGiveTheRankingsTheReferencePredicts() throws Exception {
        for (String model : List.of(TinyRerankers.CROSS_ENCODER, TinyRerankers.LLM_RERANKER)) {
            List<List<String>> rankings = new ArrayList<>();
            for (String instruction : List.of(YEAR, RUSSIAN)) {
                TinyRerankers.Reference reference = reference(model, instruction);
                var reply = api.post("/collections/docs/search", search(instruction, 8, Map.of("model", model, "top_n", 8)));
                assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
                JsonNode hits = reply.body().path("hits");
                assertThat(ids(hits)).as("%s with instruction '%s'", model, instruction).isEqualTo(expectedIds(reference, 8));
                for (JsonNode h : hits) {
                    int doc = Integer.parseInt(h.path("id").asText().substring(1));
                    assertThat(h.path("score").asDouble()).isCloseTo(reference.scores().get(doc), within(1e-3));
                    assertThat(h.path("reranked").asBoolean()).isTrue();
                    assertThat(h.path("first_stage_score").isNumber()).isTrue();
                }
                JsonNode rerank = reply.body().path("rerank");
                assertThat(rerank.path("model").asText()).isEqualTo(model);
                assertThat(rerank.path("top_n").asInt()).isEqualTo(8);
                assertThat(rerank.path("scored").asInt()).isEqualTo(8);
                assertThat(rerank.path("complete").asBoolean()).isTrue();
                rankings.add(ids(hits));
            }
            assertThat(rankings.get(0)).as("the instruction changes %s's ranking", model).isNotEqualTo(rankings.get(1));
        }
    }

    @Test
    void instructionDoesNotChangeTheFirstStageOfAnEmbedderWithoutInstructionTemplate() {
        List<String> year = ids(api.post("/collections/docs/search", search(YEAR, 8, null)).body().path("hits"));
        List<String> russian = ids(api.post("/collections/docs/search", search(RUSSIAN, 8, null)).body().path("hits"));
        assertThat(year).hasSize(8).isEqualTo(russian);
    }

    @Test
    void pageIsCutToKFromTheRerankedTopN() throws Exception {
        TinyRerankers.Reference reference = reference(TinyRerankers.CROSS_ENCODER, YEAR);
        var reply = api.post("/collections/docs/search", search(YEAR, 3, Map.of("model", TinyRerankers.CROSS_ENCODER, "top_n", 8)));
        assertThat(ids(reply.body().path("hits"))).isEqualTo(expectedIds(reference, 3));
        // without top_n: max(rerank.default_top_n = 50, k), of which the collection holds 8
        var byDefault = api.post("/collections/docs/search", search(YEAR, 3, Map.of("model", TinyRerankers.CROSS_ENCODER)));
        assertThat(ids(byDefault.body().path("hits"))).isEqualTo(expectedIds(reference, 3));
        assertThat(byDefault.body().path("rerank").path("top_n").asInt()).isEqualTo(8);
    }

    @Test
    void badRerankRequestsAre400WithWhatIsAccepted() {
        var unknown = api.post("/collections/docs/search", search(null, 3, Map.of("model", "no-such-reranker")));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorCode()).isEqualTo("unknown_model");
        assertThat(unknown.errorMessage()).contains("no-such-reranker").contains(TinyRerankers.CROSS_ENCODER)
                .contains(TinyRerankers.LLM_RERANKER).doesNotContain("e5-small-v2");

        var embedder = api.post("/collections/docs/search", search(null, 3, Map.of("model", "e5-small-v2")));
        assertThat(embedder.status()).isEqualTo(400);
        assertThat(embedder.errorMessage()).contains("is an embedder, not a reranker").contains(TinyRerankers.CROSS_ENCODER);

        var small = api.post("/collections/docs/search", search(null, 10, Map.of("model", TinyRerankers.CROSS_ENCODER, "top_n", 5)));
        assertThat(small.status()).isEqualTo(400);
        assertThat(small.errorCode()).isEqualTo("invalid_query");
        assertThat(small.errorMessage()).contains("'rerank.top_n' (5) must be at least 'k' (10)");

        var big = api.post("/collections/docs/search", search(null, 10, Map.of("model", TinyRerankers.CROSS_ENCODER, "top_n", 1001)));
        assertThat(big.status()).isEqualTo(400);
        assertThat(big.errorMessage()).contains("between 1 and 1000");

        var notObject = api.post("/collections/docs/search", search(null, 3, TinyRerankers.CROSS_ENCODER));
        assertThat(notObject.status()).isEqualTo(400);
        assertThat(notObject.errorMessage()).contains("'rerank' must be an object");

        var extra = api.post("/collections/docs/search", search(null, 3, Map.of("model", TinyRerankers.CROSS_ENCODER, "budget", 5)));
        assertThat(extra.status()).isEqualTo(400);
        assertThat(extra.errorMessage()).contains("unknown property 'rerank.budget'; accepted: model, top_n");

        var noModel = api.post("/collections/docs/search", search(null, 3, Map.of("top_n", 5)));
        assertThat(noModel.status()).isEqualTo(400);
        assertThat(noModel.errorMessage()).contains("'rerank.model'");
    }

    @Test
    void aRerankerCannotEmbedACollection() {
        var reply = api.put("/collections/wrong", json(Map.of("model", TinyRerankers.CROSS_ENCODER)));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.errorCode()).isEqualTo("unknown_model");
        assertThat(reply.errorMessage()).contains("is a cross_encoder (a reranker)").contains("e5-small-v2");
        var unknown = api.put("/collections/wrong", json(Map.of("model", "nope")));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorMessage()).contains("available models: e5-small-v2").doesNotContain(TinyRerankers.CROSS_ENCODER);
        assertThat(api.get("/collections/wrong").status()).isEqualTo(404);
    }

    @Test
    void aSpentBudgetLeavesTheFirstStageOrderAndSaysSo() {
        ApiClient other = new ApiClient(budgetless.port());
        List<String> firstStage = ids(other.post("/collections/docs/search", search(YEAR, 5, null)).body().path("hits"));
        var reply = other.post("/collections/docs/search", search(YEAR, 5, Map.of("model", TinyRerankers.CROSS_ENCODER, "top_n", 8)));
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        JsonNode rerank = reply.body().path("rerank");
        assertThat(rerank.path("complete").asBoolean()).isFalse();
        assertThat(rerank.path("scored").asInt()).isZero();
        assertThat(ids(reply.body().path("hits"))).isEqualTo(firstStage);
        for (JsonNode h : reply.body().path("hits")) {
            assertThat(h.path("reranked").asBoolean()).isFalse();
            assertThat(h.path("score").asDouble()).isEqualTo(h.path("first_stage_score").asDouble());
        }
    }

    @Test
    void webSocketSendsCandidatesThenTheRerankedFinal() throws Exception {
        TinyRerankers.Reference reference = reference(TinyRerankers.LLM_RERANKER, RUSSIAN);
        List<String> firstStage = ids(api.post("/collections/docs/search", search(RUSSIAN, 4, null)).body().path("hits"));
        try (LiveSearchClient ws = new LiveSearchClient(server.port())) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("id", 1);
            message.put("collection", "docs");
            message.put("query", QUERY);
            message.put("instruction", RUSSIAN);
            message.put("k", 4);
            message.put("rerank", Map.of("model", TinyRerankers.LLM_RERANKER, "top_n", 8));
            ws.send(json(message));
            JsonNode fin = ws.await(LiveSearchClient.id(1, "final"), 60_000);
            JsonNode candidates = ws.await(LiveSearchClient.id(1, "candidates"), 1_000);
            assertThat(ws.messages.indexOf(candidates)).isLessThan(ws.messages.indexOf(fin));
            assertThat(ids(candidates.path("hits"))).isEqualTo(firstStage);
            assertThat(candidates.has("rerank")).isFalse();
            assertThat(ids(fin.path("hits"))).isEqualTo(expectedIds(reference, 4));
            assertThat(fin.path("rerank").path("complete").asBoolean()).isTrue();
        }
    }

    @Test
    void webSocketWithoutARerankerSendsOnlyTheFinal() throws Exception {
        try (LiveSearchClient ws = new LiveSearchClient(server.port())) {
            ws.send(json(Map.of("id", 1, "collection", "docs", "query", QUERY, "k", 2)));
            ws.await(LiveSearchClient.id(1, "final"), 60_000);
            ws.send(json(Map.of("id", 2, "collection", "docs", "query", QUERY, "k", 2,
                    "rerank", Map.of("model", "e5-small-v2"))));
            JsonNode error = ws.await(LiveSearchClient.id(2, "error"), 60_000);
            assertThat(error.path("error").path("message").asText()).contains("is an embedder, not a reranker");
            assertThat(ws.messages).noneMatch(m -> m.path("phase").asText().equals("candidates"));
        }
    }

    @Test
    void serverSentEventsSendCandidatesThenFinal() throws Exception {
        TinyRerankers.Reference reference = reference(TinyRerankers.CROSS_ENCODER, YEAR);
        String path = "/collections/docs/search/stream?k=3&top_n=8&rerank=" + TinyRerankers.CROSS_ENCODER
                + "&query=" + URLEncoder.encode(QUERY, StandardCharsets.UTF_8) + "&instruction=" + URLEncoder.encode(YEAR, StandardCharsets.UTF_8);
        HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(api.request(path).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        String body = response.body();
        int candidates = body.indexOf("event: candidates\n");
        int fin = body.indexOf("event: final\n");
        assertThat(candidates).isPositive().isLessThan(fin);
        String finalData = body.substring(fin).lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
        assertThat(ids(ApiClient.parse(finalData).path("hits"))).isEqualTo(expectedIds(reference, 3));
    }
}
