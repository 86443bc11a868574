package io.poisk.server;

import io.poisk.server.http.NdjsonIngest;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP contract against a real server on a free port with the real default model. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class HttpApiTest {
    static final int MAX_DOCUMENT_BYTES = 4096;
    static final int MAX_DOCUMENTS = 100;
    static final int MAX_REQUEST_BYTES = 1 << 20;

    @TempDir
    static Path dataDir;
    PoiskServer server;
    ApiClient api;

    @BeforeAll
    void startServer() {
        server = PoiskServer.start(TestServers.config(dataDir, Map.of(
                "max_document_bytes", String.valueOf(MAX_DOCUMENT_BYTES),
                "max_documents_per_request", String.valueOf(MAX_DOCUMENTS),
                "max_request_bytes", String.valueOf(MAX_REQUEST_BYTES))));
        api = new ApiClient(server.port());
        assertThat(api.put("/collections/bad-input", null).status()).isEqualTo(201);
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    @Test
    void healthIsUp() {
        var r = api.get("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("status").asText()).isEqualTo("up");
    }

    @Test
    void collectionLifecycle() {
        var created = api.put("/collections/life", null);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().path("name").asText()).isEqualTo("life");
        assertThat(created.body().path("model").asText()).isEqualTo("e5-small-v2");
        assertThat(created.body().path("dimension").asInt()).isEqualTo(384);
        assertThat(created.body().path("similarity").asText()).isEqualTo("cosine");
        assertThat(created.body().path("documents").asLong()).isZero();
        assertThat(created.body().has("segments")).isTrue();

        assertThat(api.put("/collections/life", null).status()).isEqualTo(200);
        assertThat(api.put("/collections/life", "{\"model\":\"e5-small-v2\"}").status()).isEqualTo(200);

        var list = api.get("/collections");
        assertThat(list.status()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        list.body().path("collections").forEach(c -> names.add(c.path("name").asText()));
        assertThat(names).contains("life");

        var one = api.get("/collections/life");
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.body().path("model").asText()).isEqualTo("e5-small-v2");

        var deleted = api.delete("/collections/life");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().path("deleted").asBoolean()).isTrue();
        assertThat(api.get("/collections/life").errorCode()).isEqualTo("collection_not_found");
        assertThat(api.delete("/collections/life").status()).isEqualTo(404);
    }

    @Test
    void unknownModelListsTheAvailableOnes() {
        var r = api.put("/collections/nomodel", "{\"model\":\"no-such-model\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("unknown_model");
        assertThat(r.errorMessage()).contains("no-such-model").contains("e5-small-v2");
        assertThat(api.get("/collections/nomodel").status()).isEqualTo(404);
    }

    @Test
    void jsonIngestGetDeleteAndEnglishSearch() {
        assertThat(api.put("/collections/english", null).status()).isEqualTo(201);
        List<Map<String, Object>> docs = List.of(
                doc("eiffel", "The Eiffel Tower is a wrought-iron lattice tower in Paris, France.", Map.of("topic", "travel")),
                doc("photo", "Photosynthesis lets plants turn sunlight, water and carbon dioxide into sugar.", Map.of("topic", "biology")),
                doc("stocks", "Stock markets fell sharply on Monday as investors feared rising interest rates.", Map.of()),
                doc("basket", "Basketball is played by two teams of five players who shoot a ball through a hoop.", Map.of()),
                doc("cookies", "To bake chocolate chip cookies you need butter, sugar, flour and eggs.", Map.of("rating", 5)));
        var indexed = api.post("/collections/english/documents", json(Map.of("documents", docs)));
        assertThat(indexed.status()).as(indexed.raw()).isEqualTo(200);
        assertThat(indexed.body().path("indexed").asInt()).isEqualTo(5);
        assertThat(api.get("/collections/english").body().path("documents").asLong()).isEqualTo(5);

        var got = api.get("/collections/english/documents/cookies");
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.body().path("text").asText()).startsWith("To bake chocolate");
        assertThat(got.body().path("fields").path("rating").asInt()).isEqualTo(5);

        assertThat(topHit("english", "Which famous landmark stands in Paris?")).isEqualTo("eiffel");
        assertThat(topHit("english", "how do plants make food from light")).isEqualTo("photo");
        assertThat(topHit("english", "what ingredients do I need for baking biscuits")).isEqualTo("cookies");

        var search = api.post("/collections/english/search", "{\"query\":\"sports game with a hoop\",\"k\":2,\"mode\":\"dense\"}");
        assertThat(search.status()).isEqualTo(200);
        assertThat(search.body().path("hits")).hasSize(2);
        JsonNode first = search.body().path("hits").get(0);
        assertThat(first.path("id").asText()).isEqualTo("basket");
        assertThat(first.path("text").asText()).startsWith("Basketball");
        assertThat(first.path("score").asDouble()).isGreaterThan(search.body().path("hits").get(1).path("score").asDouble());
        assertThat(search.body().has("took_ms")).isTrue();

        var deleted = api.delete("/collections/english/documents/basket");
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.body().path("deleted").asBoolean()).isTrue();
        assertThat(api.get("/collections/english/documents/basket").errorCode()).isEqualTo("document_not_found");
        assertThat(api.delete("/collections/english/documents/basket").status()).isEqualTo(404);
        assertThat(topHit("english", "sports game with a hoop")).isNotEqualTo("basket");
    }

    @Test
    void russianSearch() {
        assertThat(api.put("/collections/russian", null).status()).isEqualTo(201);
        List<Map<String, Object>> docs = List.of(
                doc("moscow", "Москва — столица России и крупнейший город страны.", Map.of()),
                doc("volga", "Волга — самая длинная река в Европе.", Map.of()),
                doc("borsch", "Борщ варят из свёклы, капусты и картофеля.", Map.of()),
                doc("chess", "Шахматы — настольная игра для двух игроков.", Map.of()));
        assertThat(api.post("/collections/russian/documents", json(Map.of("documents", docs))).status()).isEqualTo(200);
        assertThat(topHit("russian", "столица России")).isEqualTo("moscow");
        assertThat(topHit("russian", "самая длинная река")).isEqualTo("volga");
    }

    @Test
    void ndjsonIsIndexedWhileTheBodyIsStillArriving() throws Exception {
        assertThat(api.put("/collections/stream", null).status()).isEqualTo(201);
        int total = 2000;
        PipedOutputStream out = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(out, 64 * 1024);
        CompletableFuture<ApiClient.Reply> reply = CompletableFuture.supplyAsync(() -> api.post("/collections/stream/documents",
                "application/x-ndjson", HttpRequest.BodyPublishers.ofInputStream(() -> in)));
        int firstPart = 3 * NdjsonIngest.BATCH;
        writeLines(out, 0, firstPart);
        // The body is not finished, yet the first batches must become searchable: the server indexes as it reads.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long seen = 0;
        while (System.nanoTime() < deadline && seen < NdjsonIngest.BATCH) {
            seen = api.get("/collections/stream").body().path("documents").asLong();
            if (seen < NdjsonIngest.BATCH) Thread.sleep(100);
        }
        assertThat(reply).isNotDone();
        assertThat(seen).as("documents indexed before the stream ended").isGreaterThanOrEqualTo(NdjsonIngest.BATCH);
        writeLines(out, firstPart, total - 1);
        // The last line has no trailing newline, and one blank line sits in the middle.
        out.write(("\n\n" + json(doc("n" + (total - 1), "Sentence number " + (total - 1) + " about item " + (total - 1), Map.of())))
                .getBytes(StandardCharsets.UTF_8));
        out.close();
        var r = reply.get(300, TimeUnit.SECONDS);
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.body().path("indexed").asInt()).isEqualTo(total);
        assertThat(api.get("/collections/stream").body().path("documents").asLong()).isEqualTo(total);
        assertThat(api.get("/collections/stream/documents/n1234").body().path("fields").path("n").asInt()).isEqualTo(1234);
        assertThat(api.get("/collections/stream/documents/n" + (total - 1)).status()).isEqualTo(200);
    }

    private static void writeLines(OutputStream out, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(json(doc("n" + i, "Sentence number " + i + " about item " + i, Map.of("n", i)))).append('\n');
        }
        try {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void ndjsonErrorsNameTheLine() {
        String body = json(doc("resume-a", "first", Map.of())) + "\n" + "{\"id\":\"b\",\"text\":42}\n";
        var r = api.post("/collections/bad-input/documents", "application/x-ndjson", HttpRequest.BodyPublishers.ofString(body));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorCode()).isEqualTo("invalid_document");
        assertThat(r.errorMessage()).contains("line 2").contains("'text' must be a string");
        // The body says how many leading lines were indexed, so a client can resume after them.
        long indexed = r.body().path("indexed").asLong(-1);
        assertThat(indexed).isBetween(0L, 1L);
        assertThat(api.get("/collections/bad-input/documents/resume-a").status()).isEqualTo(indexed == 1 ? 200 : 404);

        String dup = json(doc("a", "first", Map.of())) + "\n" + json(doc("a", "again", Map.of())) + "\n";
        var d = api.post("/collections/bad-input/documents", "application/x-ndjson", HttpRequest.BodyPublishers.ofString(dup));
        assertThat(d.status()).isEqualTo(400);
        assertThat(d.errorMessage()).contains("duplicate id 'a'").contains("line 2");

        var broken = api.post("/collections/bad-input/documents", "application/x-ndjson", HttpRequest.BodyPublishers.ofString("{\"id\":\n"));
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.errorCode()).isEqualTo("invalid_json");
    }

    static Stream<Arguments> badInputs() {
        String docs = "/collections/bad-input/documents";
        String search = "/collections/bad-input/search";
        String big = "x".repeat(MAX_DOCUMENT_BYTES + 1);
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i <= MAX_DOCUMENTS; i++) tooMany.add(doc("d" + i, "text " + i, Map.of()));
        return Stream.of(
                Arguments.of("POST", docs, "application/json", "{\"documents\":[", 400, "invalid_json", "not valid JSON"),
                Arguments.of("POST", docs, "application/json", "[1,2]", 400, "invalid_json", "must be a JSON object"),
                Arguments.of("POST", docs, "application/json", "", 400, "invalid_json", "empty"),
                Arguments.of("POST", docs, "application/json", "{\"docs\":[]}", 400, "invalid_document", "missing 'documents'"),
                Arguments.of("POST", docs, "application/json", "{\"documents\":{}}", 400, "invalid_document", "'documents' must be an array"),
                Arguments.of("POST", docs, "application/json", "{\"documents\":[5]}", 400, "invalid_document", "documents[0] must be an object"),
                Arguments.of("POST", docs, "application/json", "{\"documents\":[{\"id\":1,\"text\":\"a\"}]}", 400, "invalid_document", "'id' must be a string"),
                Arguments.of("POST", docs, "application/json", "{\"documents\":[{\"text\":\"a\"}]}", 400, "invalid_document", "missing 'id'"),
                Arguments.of("POST", docs, "application/json", "{\"documents\":[{\"id\":\"\",\"text\":\"a\"}]}", 400, "invalid_document", "'id' must not be empty"),
                Arguments.of("POST", docs, "application/json", "{\"documents\":[{\"id\":\"a\"}]}", 400, "invalid_document", "missing 'text'"),
                Arguments.of("POST", docs, "application/json", "{\"documents\":[{\"id\":\"a\",\"text\":\" \"}]}", 400, "invalid_document", "'text' must not be empty"),
                Arguments.of("POST", docs, "application/json", "{\"documents\":[{\"id\":\"a\",\"text\":\"t\",\"fields\":[1]}]}", 400, "invalid_document", "'fields' must be an object"),
                Arguments.of("POST", docs, "application/json", json(Map.of("documents", List.of(doc("a", "x", Map.of()), doc("b", "y", Map.of()), doc("a", "z", Map.of())))),
                        400, "invalid_document", "duplicate id 'a'"),
                Arguments.of("POST", docs, "application/json", json(Map.of("documents", List.of(doc("big", big, Map.of())))), 413, "payload_too_large", "max_document_bytes"),
                Arguments.of("POST", docs, "application/json", json(Map.of("documents", tooMany)), 413, "payload_too_large", "at most " + MAX_DOCUMENTS),
                Arguments.of("POST", docs, "text/plain", "hello", 415, "unsupported_media_type", "application/x-ndjson"),
                Arguments.of("POST", "/collections/missing/documents", "application/json", "{\"documents\":[{\"id\":\"a\",\"text\":\"t\"}]}", 404, "collection_not_found", "missing"),
                Arguments.of("POST", "/collections/Bad%20Name/documents", "application/json", "{\"documents\":[]}", 400, "invalid_name", "[a-z0-9]"),
                Arguments.of("PUT", "/collections/UPPER", null, null, 400, "invalid_name", "lower-case"),
                Arguments.of("PUT", "/collections/okname", "application/json", "{\"model\":7}", 400, "bad_request", "'model' must be a non-empty string"),
                Arguments.of("PUT", "/collections/okname", "application/xml", "<model/>", 415, "unsupported_media_type", "application/json"),
                Arguments.of("PUT", "/collections/okname", "application/json", "{\"language\":\"de\"}", 400, "bad_request", "accepted are ru, en, auto"),
                Arguments.of("PUT", "/collections/okname", "application/json", "{\"language\":5}", 400, "bad_request", "'language' must be a string"),
                Arguments.of("PUT", "/collections/okname", "application/json", "{\"fields\":{\"year\":\"int\"}}", 400, "bad_request", "unknown field type 'int'"),
                Arguments.of("PUT", "/collections/okname", "application/json", "{\"fields\":[\"year\"]}", 400, "bad_request", "'fields' must be an object"),
                Arguments.of("PUT", "/collections/okname", "application/json", "{\"fields\":{\"9x\":\"long\"}}", 400, "bad_request", "field name '9x'"),
                Arguments.of("PUT", "/collections/okname", "application/json", "{\"size\":3}", 400, "bad_request", "unknown property 'size'"),
                Arguments.of("GET", "/collections/missing", null, null, 404, "collection_not_found", "missing"),
                Arguments.of("GET", "/collections/bad-input/documents/nope", null, null, 404, "document_not_found", "nope"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"k\":\"10\"}", 400, "invalid_query", "'k' must be an integer"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"k\":0}", 400, "invalid_query", "between 1 and 1000"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"k\":1001}", 400, "invalid_query", "between 1 and 1000"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"k\":2.5}", 400, "invalid_query", "'k' must be an integer"),
                Arguments.of("POST", search, "application/json", "{\"k\":3}", 400, "invalid_query", "missing 'query'"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"\"}", 400, "invalid_query", "'query' must not be empty"),
                Arguments.of("POST", search, "application/json", "{\"query\":[\"x\"]}", 400, "invalid_query", "'query' must be a string"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"filter\":{\"topic\":\"a\"}}", 400, "invalid_query", "undeclared field 'topic'"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"filter\":\"a\"}", 400, "invalid_query", "'filter' must be an object"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"fusion\":{\"method\":\"max\"}}", 400, "invalid_query", "unknown fusion method 'max'"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"fusion\":{\"method\":\"rrf\",\"k\":0}}", 400, "invalid_query", "positive integer"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"fusion\":{\"method\":\"rrf\",\"k\":1.5}}", 400, "invalid_query", "positive integer"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"fusion\":{\"method\":\"weighted\",\"dense\":-1,\"lexical\":1}}", 400, "invalid_query", "non-negative"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"fusion\":{\"method\":\"weighted\",\"dense\":\"a\"}}", 400, "invalid_query", "must be a number"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"fusion\":{\"method\":\"rrf\",\"dense\":1}}", 400, "invalid_query", "unknown property 'fusion.dense'"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"fusion\":[1]}", 400, "invalid_query", "'fusion' must be an object"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"mode\":\"lexical\",\"fusion\":{\"method\":\"rrf\"}}", 400, "invalid_query", "hybrid only"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"mode\":\"fuzzy\"}", 400, "invalid_query", "accepted are dense"),
                Arguments.of("POST", search, "application/json", "{\"query\":\"x\",\"size\":3}", 400, "invalid_query", "unknown property 'size'"),
                Arguments.of("POST", search, "text/plain", "{\"query\":\"x\"}", 415, "unsupported_media_type", "application/json"),
                Arguments.of("POST", "/collections/missing/search", "application/json", "{\"query\":\"x\"}", 404, "collection_not_found", "missing"),
                Arguments.of("GET", "/nowhere", null, null, 404, "not_found", "no route"),
                Arguments.of("GET", "/collections/bad-input/search", null, null, 405, "method_not_allowed", "POST"),
                Arguments.of("PATCH", "/collections/bad-input", "application/json", "{}", 405, "method_not_allowed", "GET, PUT, DELETE"),
                Arguments.of("POST", "/health", "application/json", "{}", 405, "method_not_allowed", "GET"));
    }

    @ParameterizedTest(name = "{0} {1} {3} -> {4} {5}")
    @MethodSource("badInputs")
    void badInputGetsAClearError(String method, String path, String contentType, String body, int status, String code, String message) {
        var r = api.send(method, path, contentType, body);
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.errorCode()).as(r.raw()).isEqualTo(code);
        assertThat(r.errorMessage()).as(r.raw()).contains(message);
    }

    @Test
    void bodyOverMaxRequestBytesIs413() {
        String padding = "y".repeat(MAX_REQUEST_BYTES + 10);
        var json = api.send("POST", "/collections/bad-input/search", "application/json", "{\"query\":\"" + padding + "\"}");
        assertThat(json.status()).isEqualTo(413);
        assertThat(json.errorCode()).isEqualTo("payload_too_large");

        // Declared length over the limit: refused before reading.
        var declared = api.send("POST", "/collections/bad-input/documents", "application/x-ndjson", padding);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.errorMessage()).contains("max_request_bytes");

        // Streamed without a length: counted while reading (blank lines are skipped, so only the size can fail).
        byte[] blankLines = "\n".repeat(MAX_REQUEST_BYTES + 10).getBytes(StandardCharsets.UTF_8);
        var streamed = api.post("/collections/bad-input/documents", "application/x-ndjson",
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(blankLines)));
        assertThat(streamed.status()).isEqualTo(413);
        assertThat(streamed.errorMessage()).contains("max_request_bytes");

        // One line longer than any document may be.
        var longLine = api.send("POST", "/collections/bad-input/documents", "application/x-ndjson",
                "{\"id\":\"x\",\"text\":\"" + "z".repeat(MAX_REQUEST_BYTES - 100) + "\"}");
        assertThat(longLine.status()).isEqualTo(413);
        assertThat(longLine.errorMessage()).contains("line 1 is longer than");
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    private String topHit(String collection, String query) {
        var r = api.post("/collections/" + collection + "/search", json(Map.of("query", query, "k", 3)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.body().path("hits").get(0).path("id").asText();
    }

    static Map<String, Object> doc(String id, String text, Map<String, Object> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("text", text);
        m.put("fields", fields);
        return m;
    }
}
