package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Closing the server and starting it again on the same data dir keeps every document and result. */
@Tag("model")
class RestartTest {
    private static final String[] TOPICS = {"astronomy and distant galaxies", "cooking pasta with tomato sauce",
            "training for a marathon run", "repairing an old bicycle chain", "growing tomatoes in a garden",
            "learning to play the violin", "the history of the Roman empire", "writing software in Java"};
    private static final List<String> QUERIES = List.of("stars and telescopes", "italian dinner recipe",
            "long distance running", "fixing a bike", "playing a string instrument", "ancient Rome");

    /** Small live segments, so the data spans flushed on-disk segments and a live one replayed from the log. */
    private static final Map<String, String> CONFIG = Map.of("index.live_segment_max_docs", "150");

    @TempDir
    Path dataDir;

    @Test
    void reopenKeepsDocumentsAndResults() {
        int total = 400;
        Map<String, List<String>> before = new LinkedHashMap<>();
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, CONFIG))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/durable", null).status()).isEqualTo(201);
            for (int start = 0; start < total; start += 100) {
                List<Map<String, Object>> docs = new ArrayList<>();
                for (int i = start; i < start + 100; i++) {
                    docs.add(HttpApiTest.doc("d" + i, "Note " + i + " on " + TOPICS[i % TOPICS.length], Map.of("i", i)));
                }
                var r = api.post("/collections/durable/documents", json(Map.of("documents", docs)));
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
            }
            assertThat(api.delete("/collections/durable/documents/d7").status()).isEqualTo(200);
            for (String q : QUERIES) before.put(q, hitIds(api, q));
        }

        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, CONFIG))) {
            ApiClient api = new ApiClient(server.port());
            var info = api.get("/collections/durable");
            assertThat(info.status()).isEqualTo(200);
            assertThat(info.body().path("documents").asLong()).isEqualTo(total - 1);
            assertThat(info.body().path("segments").asInt()).as("on-disk segments plus the live one").isGreaterThan(1);
            for (int i = 0; i < total; i++) {
                var d = api.get("/collections/durable/documents/d" + i);
                if (i == 7) {
                    assertThat(d.status()).isEqualTo(404);
                } else {
                    assertThat(d.status()).as("d%d", i).isEqualTo(200);
                    assertThat(d.body().path("text").asText()).startsWith("Note " + i + " on ");
                    assertThat(d.body().path("fields").path("i").asInt()).isEqualTo(i);
                }
            }
            for (String q : QUERIES) assertThat(hitIds(api, q)).as(q).isEqualTo(before.get(q));
        }
    }

    private static List<String> hitIds(ApiClient api, String query) {
        var r = api.post("/collections/durable/search", json(Map.of("query", query, "k", 10)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode h : r.body().path("hits")) ids.add(h.path("id").asText());
        assertThat(ids).hasSize(10);
        return ids;
    }
}
