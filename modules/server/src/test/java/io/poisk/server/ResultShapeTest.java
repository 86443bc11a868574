package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a hit carries and which page comes back, on a real server with the default model: offset paging
 * that agrees with one deep page in every mode, {@code fields}/{@code return_text}, highlighted snippets
 * that follow the Russian analyzer, the same over SSE, and live search matching an unfinished last word.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class ResultShapeTest {
    @TempDir
    static Path dataDir;
    PoiskServer server;
    ApiClient api;

    @BeforeAll
    void startServer() {
        server = PoiskServer.start(TestServers.config(dataDir, Map.of()));
        api = new ApiClient(server.port());
        assertThat(api.put("/collections/rivers", "{\"language\":\"ru\",\"fields\":{\"n\":\"long\",\"kind\":\"keyword\"}}").status())
                .isEqualTo(201);
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            docs.add(Map.of("id", "r" + i, "text", "Река номер " + i + " течёт на север. Её берега покрыты лесом, а вода <холодная>.",
                    "fields", Map.of("n", i, "kind", i % 2 == 0 ? "even" : "odd", "note", "extra " + i)));
        }
        docs.add(Map.of("id", "moscow", "text", "Москва — столица России. Через город протекает Москва-река.", "fields", Map.of("n", 100)));
        var indexed = api.post("/collections/rivers/documents", json(Map.of("documents", docs)));
        assertThat(indexed.status()).as(indexed.raw()).isEqualTo(200);
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    @Test
    void pagesWithOffsetAreTheWindowsOfOneDeepPage() {
        for (String mode : List.of("lexical", "dense", "hybrid")) {
            List<String> deep = ids(search("{\"query\":\"река течёт на север\",\"mode\":\"" + mode + "\",\"k\":25}"));
            assertThat(deep).as(mode).hasSize(25);
            List<String> paged = new ArrayList<>();
            for (int offset = 0; offset < 25; offset += 10) {
                int k = Math.min(10, 25 - offset);
                paged.addAll(ids(search("{\"query\":\"река течёт на север\",\"mode\":\"" + mode + "\",\"k\":" + k + ",\"offset\":" + offset + "}")));
            }
            assertThat(paged).as(mode).isEqualTo(deep);
        }
        // past the last hit: an empty page, not an error
        assertThat(ids(search("{\"query\":\"река\",\"mode\":\"lexical\",\"k\":10,\"offset\":900}"))).isEmpty();
    }

    @Test
    void offsetAndShapeErrorsAreClear400s() {
        String[][] cases = {
                {"{\"query\":\"река\",\"offset\":-1}", "'offset'"},
                {"{\"query\":\"река\",\"offset\":995,\"k\":10}", "offset + k at most 1000"},
                {"{\"query\":\"река\",\"offset\":\"2\"}", "'offset'"},
                {"{\"query\":\"река\",\"fields\":\"n\"}", "'fields'"},
                {"{\"query\":\"река\",\"fields\":[1]}", "'fields'"},
                {"{\"query\":\"река\",\"return_text\":\"no\"}", "'return_text'"},
                {"{\"query\":\"река\",\"highlight\":{\"max_chars\":0}}", "'highlight'"},
                {"{\"query\":\"река\",\"highlight\":{\"size\":10}}", "highlight.size"},
                {"{\"query\":\"река\",\"highlight\":\"yes\"}", "'highlight'"},
        };
        for (String[] c : cases) {
            var r = api.post("/collections/rivers/search", c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.errorCode()).as(c[0]).isEqualTo("invalid_query");
            assertThat(r.errorMessage()).as(c[0]).contains(c[1]);
        }
    }

    @Test
    void hitsCarryOnlyWhatTheRequestAsksFor() {
        JsonNode hit = search("{\"query\":\"река номер 7\",\"mode\":\"lexical\",\"k\":1,\"fields\":[\"n\"],\"return_text\":false}")
                .path("hits").get(0);
        assertThat(hit.has("text")).isFalse();
        assertThat(hit.has("snippet")).isFalse();
        assertThat(hit.path("fields").size()).isEqualTo(1);
        assertThat(hit.path("fields").has("n")).isTrue();

        JsonNode none = search("{\"query\":\"река\",\"mode\":\"lexical\",\"k\":1,\"fields\":[]}").path("hits").get(0);
        assertThat(none.path("fields").size()).isZero();
        assertThat(none.path("text").asText()).containsIgnoringCase("река");
    }

    @Test
    void snippetsMarkTheWordFormsTheRussianAnalyzerMatches() {
        JsonNode hits = search("{\"query\":\"реки столицы\",\"mode\":\"hybrid\",\"k\":3,\"highlight\":true,\"return_text\":false}")
                .path("hits");
        JsonNode moscow = null;
        for (JsonNode h : hits) if (h.path("id").asText().equals("moscow")) moscow = h;
        assertThat(moscow).as(hits.toString()).isNotNull();
        assertThat(moscow.path("snippet").asText()).isEqualTo("Москва — <mark>столица</mark> России.");

        String escaped = search("{\"query\":\"вода\",\"mode\":\"lexical\",\"k\":1,\"highlight\":{\"max_chars\":500}}")
                .path("hits").get(0).path("snippet").asText();
        assertThat(escaped).contains("<mark>вода</mark>").contains("&lt;холодная&gt;").doesNotContain("<холодная>");
    }

    @Test
    void theStreamTakesTheSameShape() throws Exception {
        String path = "/collections/rivers/search/stream?mode=lexical&k=2&offset=1&highlight=120&return_text=false&fields=n&query="
                + URLEncoder.encode("столица", StandardCharsets.UTF_8);
        HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(api.request(path).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String body = r.body();
        JsonNode data = ApiClient.parse(body.substring(body.indexOf("data: ") + 6, body.indexOf('\n', body.indexOf("data: "))));
        assertThat(data.path("hits")).isEmpty(); // one document says "столица": offset 1 skips it

        String first = "/collections/rivers/search/stream?mode=lexical&k=1&highlight=true&return_text=false&fields=&query="
                + URLEncoder.encode("столица", StandardCharsets.UTF_8);
        String b = java.net.http.HttpClient.newHttpClient().send(api.request(first).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        JsonNode hit = ApiClient.parse(b.substring(b.indexOf("data: ") + 6, b.indexOf('\n', b.indexOf("data: ")))).path("hits").get(0);
        assertThat(hit.path("id").asText()).isEqualTo("moscow");
        assertThat(hit.has("text")).isFalse();
        assertThat(hit.path("fields").size()).isZero();
        assertThat(hit.path("snippet").asText()).contains("<mark>столица</mark>");
    }

    @Test
    void liveSearchMatchesTheUnfinishedLastWordAsAPrefix() throws Exception {
        // plain search: "моск" is no word of the index
        assertThat(ids(search("{\"query\":\"столица моск\",\"mode\":\"lexical\",\"k\":5}"))).containsExactly("moscow");
        assertThat(ids(search("{\"query\":\"моск\",\"mode\":\"lexical\",\"k\":5}"))).isEmpty();
        try (LiveSearchClient ws = new LiveSearchClient(server.port())) {
            ws.send(json(Map.of("id", 1, "collection", "rivers", "query", "моск", "mode", "lexical", "k", 5, "highlight", true)));
            JsonNode fin = ws.await(LiveSearchClient.id(1, "final"), 60_000);
            assertThat(fin.path("hits")).hasSize(1);
            assertThat(fin.path("hits").get(0).path("id").asText()).isEqualTo("moscow");
            assertThat(fin.path("hits").get(0).path("snippet").asText()).contains("<mark>Москва</mark>");
            // a finished word (trailing space) is not a prefix any more
            ws.send(json(Map.of("id", 2, "collection", "rivers", "query", "моск ", "mode", "lexical", "k", 5)));
            assertThat(ws.await(LiveSearchClient.id(2, "final"), 60_000).path("hits")).isEmpty();
        }
    }

    private JsonNode search(String body) {
        var r = api.post("/collections/rivers/search", body);
        assertThat(r.status()).as(body + " -> " + r.raw()).isEqualTo(200);
        return r.body();
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        for (JsonNode h : page.path("hits")) ids.add(h.path("id").asText());
        return ids;
    }
}
