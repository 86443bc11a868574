package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Updates without inference through the real server and the default model: PATCH of one document and of a
 * batch (semantics and errors), an upsert of unchanged text that embeds nothing, delete by filter, and a
 * patch replayed from the log after a restart.
 */
@Tag("model")
class DocumentUpdatesTest {
    private static final String MODEL = "e5-small-v2";
    private static final String C = "/collections/upd";

    @TempDir
    Path dataDir;

    private static Map<String, Object> doc(String id, String text, Map<String, Object> fields) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", id);
        d.put("text", text);
        d.put("fields", fields);
        return d;
    }

    private static void load(ApiClient api) {
        var created = api.put(C, json(Map.of("fields", Map.of("tag", "keyword", "year", "long"))));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        List<Map<String, Object>> docs = new ArrayList<>();
        String[] topics = {"a lighthouse on a rocky coast", "baking rye bread at home", "a violin concerto in D major",
                "repairing a bicycle chain", "tomatoes growing in a greenhouse", "the orbit of Jupiter's moons"};
        for (int i = 0; i < topics.length; i++) {
            docs.add(doc("d" + i, topics[i], Map.of("tag", i % 2 == 0 ? "even" : "odd", "year", 2000 + i, "note", "n" + i)));
        }
        var r = api.post(C + "/documents", json(Map.of("documents", docs)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    private static long embedded(PoiskServer server) {
        return server.engine().embeddingStats(MODEL).texts();
    }

    private static List<String> hitIds(ApiClient api, String query) {
        var r = api.post(C + "/search", json(Map.of("query", query, "k", 6, "mode", "dense")));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode h : r.body().path("hits")) ids.add(h.path("id").asText());
        return ids;
    }

    @Test
    void patchesChangeFieldsWithoutInferenceAndAreRefusedClearly() {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            load(api);
            List<String> before = hitIds(api, "sea and ships");
            long texts = embedded(server);

            Map<String, Object> fields = new HashMap<>();
            fields.put("tag", "featured");
            fields.put("note", null);
            fields.put("extra", List.of("x", "y"));
            var one = api.send("PATCH", C + "/documents/d0", "application/json", json(Map.of("fields", fields)));
            assertThat(one.status()).as(one.raw()).isEqualTo(200);
            assertThat(one.body().path("patched").asInt()).isEqualTo(1);
            var d0 = api.get(C + "/documents/d0").body();
            assertThat(d0.path("text").asText()).isEqualTo("a lighthouse on a rocky coast");
            assertThat(d0.path("fields").path("tag").asText()).isEqualTo("featured");
            assertThat(d0.path("fields").path("year").asInt()).isEqualTo(2000);
            assertThat(d0.path("fields").has("note")).isFalse();
            assertThat(d0.path("fields").path("extra").size()).isEqualTo(2);

            var batch = api.send("PATCH", C + "/documents", "application/json", json(Map.of("documents", List.of(
                    Map.of("id", "d1", "fields", Map.of("year", 1999)),
                    Map.of("id", "ghost", "fields", Map.of("year", 1)),
                    Map.of("id", "d2", "fields", Map.of("tag", "featured"))))));
            assertThat(batch.status()).as(batch.raw()).isEqualTo(200);
            assertThat(batch.body().path("patched").asInt()).isEqualTo(2);
            assertThat(batch.body().path("not_found").toString()).isEqualTo("[\"ghost\"]");
            assertThat(api.get(C + "/documents/d1").body().path("fields").path("year").asInt()).isEqualTo(1999);
            assertThat(embedded(server)).as("texts embedded by the patches").isEqualTo(texts);

            // Filters see the patched values; the vectors did not move, so dense results are the same.
            var filtered = api.post(C + "/search", json(Map.of("query", "anything", "filter", Map.of("tag", "featured"), "k", 10)));
            assertThat(filtered.body().path("hits").size()).isEqualTo(2);
            assertThat(hitIds(api, "sea and ships")).isEqualTo(before);

            // Errors: missing document, text, wrong declared type, bad shapes, unknown collection.
            var missing = api.send("PATCH", C + "/documents/ghost", "application/json", json(Map.of("fields", Map.of("tag", "x"))));
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.errorCode()).isEqualTo("document_not_found");
            var text = api.send("PATCH", C + "/documents/d1", "application/json", json(Map.of("text", "new", "fields", Map.of())));
            assertThat(text.status()).isEqualTo(400);
            assertThat(text.errorMessage()).contains("POST /collections/{name}/documents");
            var type = api.send("PATCH", C + "/documents/d1", "application/json", json(Map.of("fields", Map.of("year", "soon"))));
            assertThat(type.status()).as(type.raw()).isEqualTo(400);
            assertThat(type.errorCode()).isEqualTo("invalid_document");
            assertThat(type.errorMessage()).contains("year").contains("long");
            assertThat(api.get(C + "/documents/d1").body().path("fields").path("year").asInt()).isEqualTo(1999);
            assertThat(api.send("PATCH", C + "/documents/d1", "application/json", json(Map.of("fields", List.of()))).status()).isEqualTo(400);
            assertThat(api.send("PATCH", C + "/documents/d1", "application/json", "{}").status()).isEqualTo(400);
            assertThat(api.send("PATCH", C + "/documents", "application/json", json(Map.of("documents", List.of(Map.of("fields", Map.of("a", 1))))))
                    .status()).isEqualTo(400);
            assertThat(api.send("PATCH", "/collections/none/documents/d1", "application/json", json(Map.of("fields", Map.of("a", 1))))
                    .status()).isEqualTo(404);
            assertThat(api.send("PATCH", C + "/documents/d1", "text/plain", "x").status()).isEqualTo(415);
        }
    }

    @Test
    void anUpsertOfUnchangedTextEmbedsNothingAndOnlyItsFieldsChange() {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            load(api);
            List<String> before = hitIds(api, "music");
            long texts = embedded(server);
            var same = api.post(C + "/documents", json(Map.of("documents", List.of(
                    doc("d2", "a violin concerto in D major", Map.of("tag", "odd", "year", 2024)),
                    doc("d3", "repairing a bicycle chain", Map.of())))));
            assertThat(same.status()).as(same.raw()).isEqualTo(200);
            assertThat(embedded(server)).as("no text embedded for unchanged texts").isEqualTo(texts);
            assertThat(((Map<?, ?>) server.engine().stats().get("ingest")).get("skipped_inference")).isEqualTo(2L);
            assertThat(api.get(C + "/documents/d2").body().path("fields").path("year").asInt()).isEqualTo(2024);
            assertThat(api.get(C + "/documents/d3").body().path("fields").size()).isZero();
            assertThat(hitIds(api, "music")).isEqualTo(before);

            // A changed text is embedded (one text), and its new vector is what search sees.
            var changed = api.post(C + "/documents", json(Map.of("documents", List.of(
                    doc("d3", "a string quartet rehearsing Beethoven", Map.of())))));
            assertThat(changed.status()).isEqualTo(200);
            assertThat(embedded(server)).as("the changed text only").isEqualTo(texts + 1);
            assertThat(hitIds(api, "chamber music").subList(0, 2)).contains("d3");
        }
    }

    @Test
    void deleteByFilterDeletesTheMatchesAndRefusesAnEmptyFilter() {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            load(api);
            for (String body : List.of("{}", "{\"filter\":{}}", "{\"filter\":null}", "{\"filter\":[]}")) {
                var r = api.post(C + "/documents/delete", body);
                assertThat(r.status()).as(body).isEqualTo(400);
            }
            var unknownField = api.post(C + "/documents/delete", json(Map.of("filter", Map.of("colour", "red"))));
            assertThat(unknownField.status()).isEqualTo(400);
            assertThat(api.get(C).body().path("documents").asInt()).isEqualTo(6);

            var r = api.post(C + "/documents/delete", json(Map.of("filter", Map.of("tag", "even"))));
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            assertThat(r.body().path("deleted").asInt()).isEqualTo(3);
            var range = api.post(C + "/documents/delete", json(Map.of("filter", Map.of("range", Map.of("year", Map.of("gte", 2005))))));
            assertThat(range.body().path("deleted").asInt()).isEqualTo(1);
            assertThat(api.get(C).body().path("documents").asInt()).isEqualTo(2);
            assertThat(api.get(C + "/documents/d1").status()).isEqualTo(200);
            assertThat(api.get(C + "/documents/d0").status()).isEqualTo(404);
        }
    }

    @Test
    void aFieldDeclaredLaterFiltersTheOldDocuments() {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of("index.live_segment_max_docs", "4")))) {
            ApiClient api = new ApiClient(server.port());
            load(api); // 6 documents: one on-disk segment and a live one; 'note' is stored but not declared
            long texts = embedded(server);
            var undeclared = api.post(C + "/search", json(Map.of("query", "anything", "filter", Map.of("note", "n3"))));
            assertThat(undeclared.status()).isEqualTo(400);

            var added = api.put(C + "/fields/note", json(Map.of("type", "keyword")));
            assertThat(added.status()).as(added.raw()).isEqualTo(201);
            assertThat(added.body().path("fields").path("note").asText()).isEqualTo("keyword");
            assertThat(embedded(server)).as("declaring a field embeds nothing").isEqualTo(texts);
            for (int i = 0; i < 6; i++) {
                var r = api.post(C + "/search", json(Map.of("query", "anything", "filter", Map.of("note", "n" + i))));
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
                assertThat(r.body().path("hits").size()).as("n%d", i).isEqualTo(1);
                assertThat(r.body().path("hits").path(0).path("id").asText()).isEqualTo("d" + i);
            }
            assertThat(api.put(C + "/fields/note", json(Map.of("type", "keyword"))).status()).isEqualTo(200);
            var conflict = api.put(C + "/fields/note", json(Map.of("type", "long")));
            assertThat(conflict.status()).isEqualTo(409);
            assertThat(conflict.errorCode()).isEqualTo("field_exists");
            assertThat(api.put(C + "/fields/year2", json(Map.of("type", "colour"))).status()).isEqualTo(400);
            assertThat(api.put(C + "/fields/bad%20name", json(Map.of("type", "long"))).status()).isEqualTo(400);
            assertThat(api.put("/collections/none/fields/x", json(Map.of("type", "long"))).status()).isEqualTo(404);
            var wrongType = api.put(C + "/fields/note", "{}");
            assertThat(wrongType.status()).isEqualTo(400);
        }
    }

    @Test
    void aPatchIsReplayedAfterARestart() {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            load(api);
            var r = api.send("PATCH", C + "/documents/d4", "application/json", json(Map.of("fields", Map.of("tag", "kept"))));
            assertThat(r.status()).isEqualTo(200);
        }
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            var d4 = api.get(C + "/documents/d4").body();
            assertThat(d4.path("fields").path("tag").asText()).isEqualTo("kept");
            assertThat(d4.path("text").asText()).isEqualTo("tomatoes growing in a greenhouse");
            var filtered = api.post(C + "/search", json(Map.of("query", "plants", "filter", Map.of("tag", "kept"))));
            assertThat(filtered.body().path("hits").size()).isEqualTo(1);
        }
    }
}
