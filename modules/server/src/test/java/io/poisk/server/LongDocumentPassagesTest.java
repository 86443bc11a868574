package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Long documents with the real e5 model: a sentence in the last kilobyte of a 1 MB document is found by dense,
 * hybrid and lexical search, and the dense hit's passage is the one holding it; a short document is one passage
 * of all of its text; a collection with passages off cuts the same document at the model's window (one vector).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class LongDocumentPassagesTest {
    private static final String SENTENCE = "The lighthouse keeper Zebulon painted his ocelot purple during the winter storm.";
    private static final String SHORT = "Tomatoes and basil make a simple summer salad.";
    @TempDir
    static Path dataDir;
    PoiskServer server;
    ApiClient api;
    String longText;

    /**
     * Filler of {@code chars} characters: words padded with runs of blanks (a laid-out table, say), so that a
     * megabyte is some twenty thousand tokens (about fifty passages) and the test stays within a minute on a
     * shared CPU; every character still has to fall into some passage.
     */
    private static String filler(int chars) {
        String[] words = {"international", "administration", "understanding", "environmental", "responsibilities",
                "organization", "development", "information", "requirements", "communication"};
        StringBuilder b = new StringBuilder(chars + 100);
        for (int i = 0; b.length() < chars; i++) b.append(words[(i * 7 + i / 10) % words.length]).append(i % 12 == 11 ? ".\n" : " ".repeat(60));
        return b.toString();
    }

    @BeforeAll
    void startServer() {
        // Embedding a megabyte (a few hundred passages) on a shared CPU takes longer than the default deadline.
        server = PoiskServer.start(TestServers.config(dataDir, Map.of("limits.request_timeout_ms", "300000",
                "limits.max_request_timeout_ms", "300000")));
        api = new ApiClient(server.port());
        longText = filler(1_000_000 - SENTENCE.length() - 1) + " " + SENTENCE;
        List<Map<String, Object>> docs = List.of(
                Map.of("id", "long", "text", longText),
                Map.of("id", "filler", "text", filler(20_000)),
                Map.of("id", "salad", "text", SHORT),
                Map.of("id", "trains", "text", "The night train to Kazan leaves at nine from the central station."));
        assertThat(api.put("/collections/books", "{}").status()).isEqualTo(201);
        assertThat(api.put("/collections/cut", "{\"passages\":{\"enabled\":false}}").status()).isEqualTo(201);
        for (String c : List.of("books", "cut")) {
            long t0 = System.nanoTime();
            var indexed = api.post("/collections/" + c + "/documents", json(Map.of("documents", docs)));
            assertThat(indexed.status()).as(indexed.raw()).isEqualTo(200);
            System.out.printf("collection %s: 1 MB document indexed in %d ms%n", c, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    private JsonNode search(String collection, String body) {
        var r = api.post("/collections/" + collection + "/search", body);
        assertThat(r.status()).as(body + " -> " + r.raw()).isEqualTo(200);
        return r.body().path("hits");
    }

    @Test
    void theLastSentenceOfAMegabyteIsFoundWithItsPassage() {
        int at = longText.indexOf(SENTENCE);
        assertThat(longText.length()).isGreaterThan(999_000);
        assertThat(at).isGreaterThan(longText.length() - 1024);
        for (String mode : List.of("dense", "hybrid")) {
            JsonNode hits = search("books", "{\"query\":\"Who painted the ocelot purple in the storm?\",\"mode\":\"" + mode
                    + "\",\"k\":4,\"return_text\":false}");
            assertThat(hits.get(0).path("id").asText()).as(mode + ": " + hits).isEqualTo("long");
            JsonNode passage = hits.get(0).path("passage");
            assertThat(passage.path("start").asInt()).as(mode).isLessThanOrEqualTo(at);
            assertThat(passage.path("end").asInt()).as(mode).isEqualTo(longText.length());
            // A passage is a model window, not the whole megabyte.
            assertThat(passage.path("end").asInt() - passage.path("start").asInt()).isLessThan(100_000); // a window of some 500 tokens (blanks included), not the megabyte
        }
        JsonNode lexical = search("books", "{\"query\":\"Zebulon ocelot\",\"mode\":\"lexical\",\"k\":4,\"return_text\":false}");
        assertThat(lexical).hasSize(1);
        assertThat(lexical.get(0).path("id").asText()).isEqualTo("long");
        assertThat(lexical.get(0).has("passage")).isFalse();
        // The whole text is stored, not only what the model saw.
        assertThat(api.get("/collections/books/documents/long").body().path("text").asText()).endsWith(SENTENCE);
    }

    @Test
    void aShortDocumentIsOnePassageOfAllOfIt() {
        JsonNode hits = search("books", "{\"query\":\"summer salad with tomatoes\",\"mode\":\"dense\",\"k\":1}");
        assertThat(hits.get(0).path("id").asText()).isEqualTo("salad");
        assertThat(hits.get(0).path("passage").path("start").asInt()).isZero();
        assertThat(hits.get(0).path("passage").path("end").asInt()).isEqualTo(SHORT.length());
    }

    @Test
    void withPassagesOffTheModelSeesOnlyTheBeginning() {
        JsonNode hits = search("cut", "{\"query\":\"Who painted the ocelot purple in the storm?\",\"mode\":\"dense\",\"k\":4,\"return_text\":false}");
        JsonNode longHit = null;
        for (JsonNode h : hits) if (h.path("id").asText().equals("long")) longHit = h;
        assertThat(longHit).isNotNull();
        // One vector for the whole document (its first 512 tokens): the passage is all of it.
        assertThat(longHit.path("passage").path("start").asInt()).isZero();
        assertThat(longHit.path("passage").path("end").asInt()).isEqualTo(longText.length());
        JsonNode info = api.get("/collections/cut").body();
        assertThat(info.path("passages").path("enabled").asBoolean(true)).as(info.toString()).isFalse();
        assertThat(api.get("/collections/books").body().path("passages").path("enabled").asBoolean()).isTrue();
    }

    @Test
    void passageSettingsAreCheckedAndShown() {
        var bad = api.put("/collections/bad", "{\"passages\":{\"max_tokens\":8}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorMessage()).contains("'passages.max_tokens'").contains("between 16 and 8192");
        var notObject = api.put("/collections/bad", "{\"passages\":true}");
        assertThat(notObject.status()).isEqualTo(400);
        assertThat(notObject.errorMessage()).contains("'passages' must be an object");
        var unknown = api.put("/collections/bad", "{\"passages\":{\"tokens\":100}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorMessage()).contains("accepted: enabled, max_tokens, overlap_tokens");

        assertThat(api.put("/collections/custom", "{\"passages\":{\"max_tokens\":128,\"overlap_tokens\":16}}").status()).isEqualTo(201);
        JsonNode p = api.get("/collections/custom").body().path("passages");
        assertThat(p.path("max_tokens").asInt()).isEqualTo(128);
        assertThat(p.path("overlap_tokens").asInt()).isEqualTo(16);
        // Re-creating with the same settings, or without saying, is the same collection; other settings conflict.
        assertThat(api.put("/collections/custom", "{\"passages\":{\"max_tokens\":128,\"overlap_tokens\":16}}").status()).isEqualTo(200);
        assertThat(api.put("/collections/custom", "{}").status()).isEqualTo(200);
        assertThat(api.put("/collections/custom", "{\"passages\":{\"enabled\":false}}").status()).isEqualTo(409);
    }
}
