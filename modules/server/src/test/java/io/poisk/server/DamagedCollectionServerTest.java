package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/** A server whose data dir holds one damaged collection starts, lists it as unavailable, serves the other, and can drop it. */
@Tag("model")
class DamagedCollectionServerTest {
    private static final Map<String, String> CONFIG = Map.of("limits.max_collections", "2");

    @TempDir
    Path dataDir;

    @Test
    void damagedCollectionIsListedAndAnswers503WhileTheOtherServes() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, CONFIG))) {
            ApiClient api = new ApiClient(server.port());
            for (String name : List.of("good", "bad")) {
                assertThat(api.put("/collections/" + name, null).status()).isEqualTo(201);
                List<Map<String, Object>> docs = new ArrayList<>();
                docs.add(HttpApiTest.doc("tele", "stars and galaxies seen through a telescope", Map.of()));
                docs.add(HttpApiTest.doc("pasta", "cooking pasta with tomato sauce", Map.of()));
                assertThat(api.post("/collections/" + name + "/documents", json(Map.of("documents", docs))).status()).isEqualTo(200);
            }
            var third = api.put("/collections/third", null);
            assertThat(third.status()).as(third.raw()).isEqualTo(409);
            assertThat(third.errorCode()).isEqualTo("too_many_collections");
        }
        Path manifest = dataDir.resolve("collections/bad/manifest.json");
        Files.writeString(manifest, "{\"generation\": 1, \"cover");

        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, CONFIG))) {
            ApiClient api = new ApiClient(server.port());
            var health = api.get("/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body().path("status").asText()).isEqualTo("up");
            assertThat(health.body().path("unavailable_collections")).extracting(JsonNode::asText).containsExactly("bad");

            var list = api.get("/collections");
            assertThat(list.status()).isEqualTo(200);
            JsonNode all = list.body().path("collections");
            assertThat(all).extracting(c -> c.path("name").asText()).containsExactly("bad", "good");
            JsonNode bad = all.get(0);
            assertThat(bad.path("status").asText()).isEqualTo("unavailable");
            assertThat(bad.path("error").path("code").asText()).isEqualTo("collection_unavailable");
            assertThat(bad.path("error").path("message").asText()).contains("manifest.json").contains("not valid JSON");
            assertThat(all.get(1).path("status").asText()).isEqualTo("ready");
            assertThat(all.get(1).path("documents").asLong()).isEqualTo(2);

            for (ApiClient.Reply r : List.of(api.get("/collections/bad"),
                    api.post("/collections/bad/search", json(Map.of("query", "telescope", "k", 1))),
                    api.post("/collections/bad/documents", json(Map.of("documents", List.of(HttpApiTest.doc("x", "y", Map.of()))))),
                    api.get("/collections/bad/documents/tele"),
                    api.put("/collections/bad", null))) {
                assertThat(r.status()).as(r.raw()).isEqualTo(503);
                assertThat(r.errorCode()).isEqualTo("collection_unavailable");
                assertThat(r.errorMessage()).contains("manifest.json");
            }
            var hits = api.post("/collections/good/search", json(Map.of("query", "looking at the stars", "k", 1)));
            assertThat(hits.status()).as(hits.raw()).isEqualTo(200);
            assertThat(hits.body().path("hits").get(0).path("id").asText()).isEqualTo("tele");
            assertThat(Files.readString(manifest)).as("the damaged file is left as it was").startsWith("{\"generation\": 1");

            assertThat(api.delete("/collections/bad").status()).isEqualTo(200);
            assertThat(api.get("/collections/bad").status()).isEqualTo(404);
            assertThat(dataDir.resolve("collections/bad")).doesNotExist();
            assertThat(api.get("/health").body().has("unavailable_collections")).isFalse();
            assertThat(api.put("/collections/third", null).status()).as("the dropped one no longer counts").isEqualTo(201);
        }
    }
}
