package io.poisk.server;

import io.poisk.engine.Engine;
import io.poisk.engine.LiveQuery;
import io.poisk.engine.SearchPage;
import io.poisk.engine.SearchRequest;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.SearchMode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query-embedding cache in a real server with the default model: a repeated query runs no
 * inference and returns the same hits and scores, the instruction is part of the key, documents never
 * enter the cache, size 0 turns it off, and a cancelled live query leaves the shared inference alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class QueryEmbeddingCacheServerTest {
    private static final String MODEL = "e5-small-v2";

    @TempDir
    static Path dataDir;
    PoiskServer server;
    ApiClient api;

    @BeforeAll
    void startServer() {
        server = PoiskServer.start(TestServers.config(dataDir, Map.of()));
        api = new ApiClient(server.port());
        load(api);
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    private static void load(ApiClient client) {
        assertThat(client.put("/collections/animals", null).status()).isEqualTo(201);
        List<Map<String, Object>> docs = List.of(
                Map.of("id", "quokka", "text", "The quokka is a small marsupial found on Rottnest Island."),
                Map.of("id", "bread", "text", "Sourdough bread rises slowly with wild yeast."),
                Map.of("id", "tram", "text", "Lisbon trams climb the steep hills of the Alfama district."));
        var indexed = client.post("/collections/animals/documents", json(Map.of("documents", docs)));
        assertThat(indexed.status()).as(indexed.raw()).isEqualTo(200);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> cacheStats() {
        return (Map<String, Object>) engine().stats().get("query_embedding_cache");
    }

    private Engine engine() {
        return server.engine();
    }

    private long inferredTexts() {
        return engine().embeddingStats(MODEL).texts();
    }

    private JsonNode cacheStats(ApiClient client) {
        var reply = client.get("/stats");
        assertThat(reply.status()).isEqualTo(200);
        return reply.body().path("query_embedding_cache");
    }

    private JsonNode search(ApiClient client, Map<String, Object> body) {
        var reply = client.post("/collections/animals/search", json(body));
        assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
        return reply.body();
    }

    private static List<String> hits(JsonNode reply) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : reply.path("hits")) out.add(h.path("id").asText() + "=" + h.path("score").asDouble());
        return out;
    }

    @Test
    void aRepeatedQueryIsServedFromTheCacheWithTheSameHitsAndScores() {
        Map<String, Object> query = Map.of("query", "a marsupial on an island near Perth", "k", 3, "mode", "dense");
        JsonNode before = cacheStats(api);
        assertThat(before.path("enabled").asBoolean()).isTrue();
        long inferred = inferredTexts();

        JsonNode first = search(api, query);
        assertThat(inferredTexts()).isEqualTo(inferred + 1);
        JsonNode afterFirst = cacheStats(api);
        assertThat(afterFirst.path("misses").asLong()).isEqualTo(before.path("misses").asLong() + 1);

        JsonNode second = search(api, query);
        assertThat(inferredTexts()).as("no inference for a repeat").isEqualTo(inferred + 1);
        JsonNode afterSecond = cacheStats(api);
        assertThat(afterSecond.path("hits").asLong()).isEqualTo(afterFirst.path("hits").asLong() + 1);
        assertThat(afterSecond.path("misses").asLong()).isEqualTo(afterFirst.path("misses").asLong());
        assertThat(afterSecond.path("size").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(hits(second)).isEqualTo(hits(first));
        assertThat(first.path("hits").get(0).path("id").asText()).isEqualTo("quokka");

        // Hybrid needs the same query vector: a hit too.
        Map<String, Object> hybrid = new LinkedHashMap<>(query);
        hybrid.put("mode", "hybrid");
        search(api, hybrid);
        assertThat(inferredTexts()).isEqualTo(inferred + 1);
        assertThat(cacheStats(api).path("hits").asLong()).isEqualTo(afterSecond.path("hits").asLong() + 1);
    }

    @Test
    void anotherInstructionIsAMissAndLexicalSearchNeverAsks() {
        String text = "where does sourdough get its rise";
        search(api, Map.of("query", text, "k", 3, "mode", "dense"));
        JsonNode before = cacheStats(api);
        long inferred = inferredTexts();

        JsonNode instructed = search(api, Map.of("query", text, "instruction", "prefer baking documents", "k", 3, "mode", "dense"));
        assertThat(instructed.path("hits")).isNotEmpty();
        JsonNode after = cacheStats(api);
        assertThat(after.path("misses").asLong()).isEqualTo(before.path("misses").asLong() + 1);
        assertThat(after.path("hits").asLong()).isEqualTo(before.path("hits").asLong());

        search(api, Map.of("query", text, "k", 3, "mode", "lexical"));
        JsonNode afterLexical = cacheStats(api);
        assertThat(afterLexical.path("misses").asLong()).isEqualTo(after.path("misses").asLong());
        assertThat(afterLexical.path("hits").asLong()).isEqualTo(after.path("hits").asLong());
        // The e5 card ignores instructions, yet they stay part of the key: other cards put them in the text.
        assertThat(inferredTexts()).isEqualTo(inferred + 1);
    }

    @Test
    void documentsAreNeverCached(@TempDir Path ownData) {
        try (PoiskServer fresh = PoiskServer.start(TestServers.config(ownData, Map.of()))) {
            ApiClient client = new ApiClient(fresh.port());
            load(client);
            JsonNode stats = cacheStats(client);
            assertThat(stats.path("misses").asLong()).isZero();
            assertThat(stats.path("size").asLong()).isZero();
            // A query with a document's exact text is still a miss: passages and queries are embedded apart.
            search(client, Map.of("query", "Sourdough bread rises slowly with wild yeast.", "k", 1, "mode", "dense"));
            assertThat(cacheStats(client).path("misses").asLong()).isEqualTo(1);
        }
    }

    @Test
    void sizeZeroTurnsTheCacheOff(@TempDir Path ownData) {
        try (PoiskServer off = PoiskServer.start(TestServers.config(ownData, Map.of("embedding.query_cache_size", "0")))) {
            ApiClient client = new ApiClient(off.port());
            load(client);
            Engine engine = off.engine();
            long inferred = engine.embeddingStats(MODEL).texts();
            Map<String, Object> query = Map.of("query", "steep hills and trams", "k", 3, "mode", "dense");
            JsonNode first = search(client, query);
            JsonNode second = search(client, query);
            assertThat(engine.embeddingStats(MODEL).texts()).isEqualTo(inferred + 2);
            assertThat(hits(second)).isEqualTo(hits(first));
            JsonNode stats = cacheStats(client);
            assertThat(stats.path("enabled").asBoolean()).isFalse();
            assertThat(stats.has("hits")).isFalse();
        }
    }

    @Test
    void aCancelledLiveQueryDoesNotCancelTheInferenceAnIdenticalQueryWaitsOn() throws Exception {
        // A long text (truncated at the model's 512 tokens) keeps the shared inference running for a while;
        // 36 repeats stay under limits.max_query_terms (504 words of 512).
        String text = "Which island off the coast of Western Australia is home to a small marsupial? ".repeat(36);
        for (int attempt = 0; attempt < 10; attempt++) {
            SearchRequest q = new SearchRequest(text + attempt, null, 3, SearchMode.DENSE, Map.of());
            Map<String, Object> cache0 = cacheStats();
            long cancelledInEmbedding0 = cancelledInEmbedding();
            LiveQuery superseded = engine().searchLive("animals", q);
            LiveQuery waiting = engine().searchLive("animals", q);
            // Both have reached the cache once it counts one miss (the first) and one hit (the second joining it).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (delta(cache0, "misses") < 1 || delta(cache0, "hits") < 1) {
                assertThat(System.nanoTime()).as("both live queries reach the cache").isLessThan(deadline);
                Thread.onSpinWait();
            }
            boolean stillInferring = !waiting.result().isDone();
            assertThat(superseded.cancel()).isTrue();
            SearchPage result = waiting.result().get(60, TimeUnit.SECONDS);
            assertThat(result.plainHits().getFirst().id()).isEqualTo("quokka");
            assertThat(superseded.result().isCancelled()).isTrue();
            if (!stillInferring || cancelledInEmbedding() != cancelledInEmbedding0 + 1) continue; // the inference won the race
            // The second query counts as a hit once it has the shared inference from the cache, a moment before it
            // joins it; a cancel landing in between abandons the inference, and the second query starts its own (a
            // second miss): the designed fallback, not the case under test. Seen once in CI.
            if (delta(cache0, "misses") != 1) continue;
            // The vector the superseded query started was kept: the same text over HTTP is a hit with the same scores.
            JsonNode again = search(api, Map.of("query", q.query(), "k", 3, "mode", "dense"));
            assertThat(delta(cache0, "hits")).isEqualTo(2);
            assertThat(delta(cache0, "misses")).isEqualTo(1);
            assertThat(again.path("hits").get(0).path("score").asDouble())
                    .isEqualTo(result.plainHits().getFirst().score(), org.assertj.core.data.Offset.offset(1e-6));
            return;
        }
        throw new AssertionError("in 10 attempts the cancel never landed while the shared inference ran");
    }

    private long delta(Map<String, Object> before, String counter) {
        return (Long) cacheStats().get(counter) - (Long) before.get(counter);
    }

    @SuppressWarnings("unchecked")
    private long cancelledInEmbedding() {
        return (Long) ((Map<String, Object>) engine().liveStats().snapshot().get("cancelled_in_stage")).get("embedding");
    }
}
