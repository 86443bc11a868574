package io.poisk.server;

import io.poisk.engine.Engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.models.BatcherStats;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Search modes, fusion and typed-field filters over HTTP (and the SSE path), against a real server
 * with the default model: a collection declared with typed fields, filters in every mode, clear 400s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class HybridSearchTest {
    private static final String FIELDS = "{\"language\":\"en\",\"fields\":{\"year\":\"long\",\"tag\":\"keyword\","
            + "\"published\":\"date\",\"draft\":\"boolean\"}}";
    private static final Set<String> ALL = Set.of("lisbon", "tokyo", "bread", "curry", "quokka");

    @TempDir
    static Path dataDir;
    PoiskServer server;
    ApiClient api;

    @BeforeAll
    void startServer() {
        server = PoiskServer.start(TestServers.config(dataDir, Map.of()));
        api = new ApiClient(server.port());
        var created = api.put("/collections/typed", FIELDS);
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        List<Map<String, Object>> docs = List.of(
                doc("lisbon", "Lisbon trams climb the steep hills of the Alfama district.",
                        Map.of("year", 2019, "tag", "travel", "published", "2019-05-01")),
                doc("tokyo", "Tokyo's subway carries millions of commuters every day.", Map.of("year", 2021, "tag", "travel")),
                doc("bread", "Sourdough bread rises slowly with wild yeast.", Map.of("year", 2020, "tag", "food", "draft", true)),
                doc("curry", "A Thai green curry uses coconut milk and basil.",
                        Map.of("year", 2022, "tag", "food", "published", "2022-03-10T12:00:00Z")),
                doc("quokka", "The quokka is a small marsupial found on Rottnest Island.", Map.of()));
        var indexed = api.post("/collections/typed/documents", json(Map.of("documents", docs)));
        assertThat(indexed.status()).as(indexed.raw()).isEqualTo(200);
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    @Test
    void createShowsLanguageAndFieldsIdenticalIs200DifferentIs409() {
        var described = api.get("/collections/typed");
        assertThat(described.status()).isEqualTo(200);
        assertThat(described.body().path("language").asText()).isEqualTo("en");
        assertThat(described.body().path("fields").path("year").asText()).isEqualTo("long");
        assertThat(described.body().path("fields").path("published").asText()).isEqualTo("date");
        assertThat(described.body().path("fields").path("draft").asText()).isEqualTo("boolean");
        assertThat(described.body().path("fields").path("tag").asText()).isEqualTo("keyword");

        // The same declaration in another key order is identical.
        var again = api.put("/collections/typed", "{\"fields\":{\"draft\":\"boolean\",\"published\":\"date\",\"tag\":\"keyword\","
                + "\"year\":\"long\"},\"language\":\"en\",\"model\":\"e5-small-v2\"}");
        assertThat(again.status()).as(again.raw()).isEqualTo(200);

        var otherType = api.put("/collections/typed", "{\"language\":\"en\",\"fields\":{\"year\":\"double\"}}");
        assertThat(otherType.status()).isEqualTo(409);
        assertThat(otherType.errorCode()).isEqualTo("collection_exists");
        assertThat(otherType.errorMessage()).contains("year").contains("double");
        assertThat(api.put("/collections/typed", null).status()).isEqualTo(409);
        assertThat(api.put("/collections/typed", FIELDS.replace("\"en\"", "\"ru\"")).status()).isEqualTo(409);

        JsonNode listed = null;
        for (JsonNode c : api.get("/collections").body().path("collections")) if (c.path("name").asText().equals("typed")) listed = c;
        assertThat(listed).isNotNull();
        assertThat(listed.path("fields").path("year").asText()).isEqualTo("long");

        var plain = api.put("/collections/plain", null);
        assertThat(plain.status()).isEqualTo(201);
        assertThat(plain.body().path("language").asText()).isEqualTo("auto");
        assertThat(plain.body().path("fields").size()).isZero();
        assertThat(api.delete("/collections/plain").status()).isEqualTo(200);
    }

    @Test
    void ingestRefusesAValueOfTheWrongDeclaredType() {
        var r = api.post("/collections/typed/documents", json(Map.of("documents",
                List.of(doc("bad", "a text", Map.of("year", "last year"))))));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_document");
        assertThat(r.errorMessage()).contains("year").contains("long");
        assertThat(api.get("/collections/typed/documents/bad").status()).isEqualTo(404);
    }

    @Test
    void hybridIsTheDefaultModeAndLexicalNeverEmbedsTheQuery() {
        String query = "small marsupial on an island";
        var byDefault = search(Map.of("query", query, "k", 5));
        var hybrid = search(Map.of("query", query, "k", 5, "mode", "hybrid"));
        var dense = search(Map.of("query", query, "k", 5, "mode", "dense"));
        assertThat(byDefault.path("hits").get(0).path("id").asText()).isEqualTo("quokka");
        assertThat(scores(byDefault)).isEqualTo(scores(hybrid));
        assertThat(scores(byDefault)).isNotEqualTo(scores(dense)); // fused scores, not cosines

        Engine engine = server.engine();
        long embedded = engine.embeddingStats("e5-small-v2").texts();
        var lexical = search(Map.of("query", "quokka Rottnest", "k", 5, "mode", "lexical"));
        assertThat(ids(lexical)).containsExactly("quokka"); // only documents that hold a query term
        assertThat(engine.embeddingStats("e5-small-v2").texts()).isEqualTo(embedded);
        search(Map.of("query", "quokka Rottnest", "k", 5, "mode", "hybrid"));
        BatcherStats after = engine.embeddingStats("e5-small-v2");
        assertThat(after.texts()).isEqualTo(embedded + 1);
    }

    @Test
    void fusionWeightsDecideWhichListLeads() {
        // Lexically "bread" and "yeast" name one document; the dense list for this text leads elsewhere or the same,
        // but a lexical-only weighting must return the lexical order and a dense-only one the dense order.
        String query = "wild yeast in Tokyo";
        var lexical = search(Map.of("query", query, "k", 5, "mode", "lexical"));
        var dense = search(Map.of("query", query, "k", 5, "mode", "dense"));
        var lexicalOnly = search(Map.of("query", query, "k", 5, "fusion", Map.of("method", "weighted", "dense", 0, "lexical", 1)));
        var denseOnly = search(Map.of("query", query, "k", 5, "fusion", Map.of("method", "weighted", "dense", 1, "lexical", 0)));
        assertThat(ids(lexicalOnly).subList(0, ids(lexical).size())).isEqualTo(ids(lexical));
        assertThat(ids(denseOnly)).isEqualTo(ids(dense));
        // RRF with k = 1: each hit scores the sum of 1 / (1 + rank) over the lists that hold it (all five documents are in the dense list).
        var rrf = search(Map.of("query", query, "k", 5, "fusion", Map.of("method", "rrf", "k", 1)));
        assertThat(Set.copyOf(ids(rrf))).isEqualTo(ALL);
        for (JsonNode hit : rrf.path("hits")) {
            String id = hit.path("id").asText();
            double expected = 1.0 / (2 + ids(dense).indexOf(id)) + (ids(lexical).contains(id) ? 1.0 / (2 + ids(lexical).indexOf(id)) : 0);
            assertThat(hit.path("score").asDouble()).as(id).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    static Stream<Arguments> filters() {
        return Stream.of(
                Arguments.of("{\"tag\":\"food\"}", Set.of("bread", "curry")),
                Arguments.of("{\"term\":{\"tag\":\"travel\"}}", Set.of("lisbon", "tokyo")),
                Arguments.of("{\"in\":{\"year\":[2019,2020]}}", Set.of("lisbon", "bread")),
                Arguments.of("{\"range\":{\"year\":{\"gte\":2021}}}", Set.of("tokyo", "curry")),
                Arguments.of("{\"range\":{\"year\":{\"gt\":2019,\"lt\":2022}}}", Set.of("tokyo", "bread")),
                Arguments.of("{\"range\":{\"published\":{\"lt\":\"2020-01-01\"}}}", Set.of("lisbon")),
                Arguments.of("{\"exists\":\"published\"}", Set.of("lisbon", "curry")),
                Arguments.of("{\"draft\":true}", Set.of("bread")),
                Arguments.of("{\"not\":{\"exists\":\"tag\"}}", Set.of("quokka")),
                Arguments.of("{\"or\":[{\"tag\":\"travel\"},{\"not\":{\"exists\":\"tag\"}}]}", Set.of("lisbon", "tokyo", "quokka")),
                Arguments.of("{\"and\":[{\"tag\":\"food\"},{\"not\":{\"draft\":true}}]}", Set.of("curry")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filters")
    void filtersRestrictEveryMode(String filter, Set<String> expected) {
        // k above the collection size: dense and hybrid return every document that passes, and only those.
        for (String mode : List.of("dense", "hybrid")) {
            var r = api.post("/collections/typed/search", "{\"query\":\"places and food\",\"k\":10,\"mode\":\"" + mode
                    + "\",\"filter\":" + filter + "}");
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            assertThat(Set.copyOf(ids(r.body()))).as(mode + " " + filter).isEqualTo(expected);
        }
        // Lexical returns the passing documents that hold a query term: this query names a word of each document.
        var lexical = api.post("/collections/typed/search", "{\"query\":\"trams subway bread curry quokka\",\"k\":10,"
                + "\"mode\":\"lexical\",\"filter\":" + filter + "}");
        assertThat(lexical.status()).as(lexical.raw()).isEqualTo(200);
        assertThat(Set.copyOf(ids(lexical.body()))).as("lexical " + filter).isEqualTo(expected);
    }

    static Stream<Arguments> badFilters() {
        return Stream.of(
                Arguments.of("{\"color\":\"red\"}", "undeclared field 'color'"),
                Arguments.of("{\"term\":{\"color\":\"red\"}}", "not declared"),
                Arguments.of("{\"year\":\"recent\"}", "does not fit field 'year' of type long"),
                Arguments.of("{\"range\":{\"published\":{\"gte\":\"yesterday\"}}}", "published"),
                Arguments.of("{\"range\":{\"tag\":{\"gte\":\"a\"}}}", "range filters take long, double or date fields"),
                Arguments.of("{\"range\":{\"year\":{\"between\":1}}}", "unknown range bound 'between'"),
                Arguments.of("{\"and\":{}}", "must be a non-empty list"),
                Arguments.of("{\"exists\":7}", "must be a field name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFilters")
    void badFiltersAre400WithTheReason(String filter, String message) {
        for (String mode : List.of("dense", "lexical", "hybrid")) {
            var r = api.post("/collections/typed/search", "{\"query\":\"x\",\"mode\":\"" + mode + "\",\"filter\":" + filter + "}");
            assertThat(r.status()).as(r.raw()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_query");
            assertThat(r.errorMessage()).as(mode).contains(message);
        }
    }

    @Test
    void theStreamedSearchTakesModeAndFilterToo() throws Exception {
        String path = "/collections/typed/search/stream?k=5&mode=lexical&query=" + encode("quokka trams")
                + "&filter=" + encode("{\"not\":{\"exists\":\"tag\"}}");
        HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(api.request(path).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String body = r.body();
        assertThat(body).contains("event: final\ndata: ");
        JsonNode data = ApiClient.parse(body.substring(body.indexOf("data: ") + 6, body.indexOf('\n', body.indexOf("data: "))));
        assertThat(ids(data)).containsExactly("quokka");

        HttpResponse<String> bad = java.net.http.HttpClient.newHttpClient().send(api.request(
                "/collections/typed/search/stream?query=x&filter=" + encode("{not json")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("'filter' must be a JSON object");
    }

    @Test
    void theWebSocketSearchTakesModeFilterAndFusion() throws Exception {
        try (LiveSearchClient ws = new LiveSearchClient(server.port())) {
            ws.send("{\"id\":1,\"collection\":\"typed\",\"query\":\"quokka trams\",\"k\":5,\"mode\":\"lexical\","
                    + "\"filter\":{\"tag\":\"travel\"}}");
            assertThat(ids(ws.await(LiveSearchClient.id(1, "final"), 60_000))).containsExactly("lisbon");
            ws.send("{\"id\":2,\"collection\":\"typed\",\"query\":\"food\",\"k\":5,"
                    + "\"fusion\":{\"method\":\"rrf\",\"k\":10},\"filter\":{\"range\":{\"year\":{\"gte\":2021}}}}");
            assertThat(Set.copyOf(ids(ws.await(LiveSearchClient.id(2, "final"), 60_000)))).isEqualTo(Set.of("tokyo", "curry"));
            ws.send("{\"id\":3,\"collection\":\"typed\",\"query\":\"x\",\"filter\":{\"color\":\"red\"}}");
            JsonNode error = ws.await(LiveSearchClient.id(3, "error"), 60_000);
            assertThat(error.toString()).contains("invalid_query").contains("color");
        }
    }

    private JsonNode search(Map<String, Object> body) {
        var r = api.post("/collections/typed/search", json(body));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.body();
    }

    private static List<String> ids(JsonNode response) {
        List<String> ids = new ArrayList<>();
        response.path("hits").forEach(h -> ids.add(h.path("id").asText()));
        return ids;
    }

    private static List<Double> scores(JsonNode response) {
        List<Double> scores = new ArrayList<>();
        response.path("hits").forEach(h -> scores.add(h.path("score").asDouble()));
        return scores;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Map<String, Object> doc(String id, String text, Map<String, Object> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("text", text);
        m.put("fields", fields);
        return m;
    }
}
