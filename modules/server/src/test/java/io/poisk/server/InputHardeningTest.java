package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.DocumentId;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.poisk.server.ApiClient.json;
import static io.poisk.server.HttpApiTest.doc;
import static org.assertj.core.api.Assertions.assertThat;

/** Regression tests for the hostile-input defects, on a real server with the real default model. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class InputHardeningTest {
    @TempDir
    static Path dataDir;
    PoiskServer server;
    ApiClient api;
    ServerLogCapture log;

    @BeforeAll
    void startServer() {
        log = new ServerLogCapture();
        server = PoiskServer.start(TestServers.config(dataDir, Map.of()));
        api = new ApiClient(server.port());
        assertThat(api.put("/collections/docs", "{\"fields\":{\"tag\":\"keyword\"}}").status()).isEqualTo(201);
        var r = api.post("/collections/docs/documents", json(Map.of("documents", List.of(
                doc("keep", "a document that must survive", Map.of("tag", "a"))))));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    @AfterAll
    void stopServer() {
        try {
            if (server != null) server.close();
        } finally {
            log.close();
        }
    }

    @Test
    void dotSegmentsNeverReachTheRouter() {
        for (String segment : List.of("..", ".", "%2e%2e", "%2E%2e", ".%2E", "%2e")) {
            for (String method : List.of("DELETE", "GET")) {
                var r = RawHttp.exchange(server.port(), method + " /collections/docs/documents/" + segment
                        + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 10_000);
                assertThat(r.status()).as(method + " " + segment + ": " + r.text()).isEqualTo(400);
                assertThat(r.text()).contains("bad_request").contains("'..'");
            }
        }
        for (String malformed : List.of("%", "%zz", "a%2", "%%41")) {
            var r = RawHttp.exchange(server.port(), "DELETE /collections/docs/documents/" + malformed
                    + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 10_000);
            assertThat(r.status()).as(malformed + ": " + r.text()).isEqualTo(400);
            assertThat(r.text()).contains("two hex digits");
        }
        var bare = RawHttp.exchange(server.port(), "DELETE /collections/docs/.. HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 10_000);
        assertThat(bare.status()).isEqualTo(400);
        assertThat(api.get("/collections/docs").status()).isEqualTo(200);
        assertThat(api.get("/collections/docs/documents/keep").status()).isEqualTo(200);
    }

    @Test
    void overlongHeadsGetOurErrorShapeAndClose() {
        var line = RawHttp.exchange(server.port(), "GET /collections/docs/documents/" + "x".repeat(5000)
                + " HTTP/1.1\r\nHost: x\r\n\r\n", 10_000);
        assertThat(line.status()).as(line.text()).isEqualTo(414);
        assertThat(line.text()).contains("\"uri_too_long\"").contains("512 UTF-8 bytes");
        assertThat(line.closed()).isTrue();
        var headers = RawHttp.exchange(server.port(), "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000)
                + "\r\n\r\n", 10_000);
        assertThat(headers.status()).as(headers.text()).isEqualTo(400);
        assertThat(headers.text()).contains("\"bad_request\"").contains("headers");
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    @Test
    void idsFollowOneRuleAndEveryValidIdCanBeReadAndDeleted() {
        for (String bad : List.of(".", "..", "a\u0000b", "x".repeat(DocumentId.MAX_BYTES + 1), "x".repeat(10_000))) {
            var r = api.post("/collections/docs/documents", json(Map.of("documents", List.of(doc(bad, "text", Map.of())))));
            assertThat(r.status()).as(r.raw()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_document");
            assertThat(r.errorMessage()).contains("'id'").contains("512");
            var nd = api.post("/collections/docs/documents", "application/x-ndjson",
                    HttpRequest.BodyPublishers.ofString(json(doc(bad, "text", Map.of())) + "\n"));
            assertThat(nd.status()).as(nd.raw()).isEqualTo(400);
        }
        // The longest ids, with every character that needs encoding in a path, round-trip through every route.
        String longest = "é/?#%. +&".repeat(100).substring(0, 400);
        while (longest.getBytes(StandardCharsets.UTF_8).length < DocumentId.MAX_BYTES) longest += "ж";
        if (longest.getBytes(StandardCharsets.UTF_8).length > DocumentId.MAX_BYTES) longest = longest.substring(0, longest.length() - 1);
        List<String> ids = List.of(longest, "a/../b", "../x", "%2e%2e", "...", "ünïcödé 🚀", "x".repeat(DocumentId.MAX_BYTES));
        for (String id : ids) {
            var put = api.post("/collections/docs/documents", json(Map.of("documents", List.of(doc(id, "odd id " + id, Map.of())))));
            assertThat(put.status()).as(id + ": " + put.raw()).isEqualTo(200);
            String path = "/collections/docs/documents/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
            var got = api.get(path);
            assertThat(got.status()).as(id + ": " + got.raw()).isEqualTo(200);
            assertThat(got.body().path("id").asText()).isEqualTo(id);
            assertThat(api.delete(path).status()).as(id).isEqualTo(200);
            assertThat(api.get(path).status()).isEqualTo(404);
        }
        assertThat(api.get("/collections/docs/documents/keep").status()).isEqualTo(200);
    }

    @Test
    void jsonLimitsAre400Or413NamingTheirKey() {
        String search = "/collections/docs/search";
        expect(api.post(search, "{\"query\":" + "[".repeat(1000) + "]".repeat(1000) + "}"), 400, "limits.json_max_depth");
        expect(api.post(search, "{\"query\":\"x\",\"k\":" + "9".repeat(5000) + "}"), 400, "limits.json_max_number_length");
        expect(api.post(search, "{\"query\":\"x\",\"k\":1." + "5".repeat(5000) + "}"), 400, "limits.json_max_number_length");
        expect(api.post(search, "{\"" + "n".repeat(50_000) + "\":1}"), 400, "limits.json_max_name_length");
        String twentyMb = "t".repeat(20_000_000);
        expect(api.post("/collections/docs/documents", "{\"documents\":[{\"id\":\"big\",\"text\":\"" + twentyMb + "\"}]}"),
                413, "limits.json_max_string_length");
        String sixtyMb = "{\"query\":\"" + "q".repeat(60_000_000) + "\"}";
        expect(api.post(search, sixtyMb), 413, "max_request_bytes");
        expect(api.post(search, "{\"query\":\"x\",\"query\":\"y\"}"), 400, "Duplicate");
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    @Test
    void luceneClauseLimitsAre400s() {
        String words = String.join(" ", java.util.Collections.nCopies(1500, "word"));
        expect(api.post("/collections/docs/search", json(Map.of("query", words, "mode", "lexical"))), 400, "limits.max_query_terms");
        List<Object> or = new ArrayList<>();
        for (int i = 0; i < 1500; i++) or.add(Map.of("tag", "t" + i));
        expect(api.post("/collections/docs/search", json(Map.of("query", "x", "mode", "lexical", "filter", Map.of("or", or)))),
                400, "limits.max_filter_clauses");
        // Just under both limits together, Lucene runs it.
        List<Object> some = new ArrayList<>();
        for (int i = 0; i < 256; i++) some.add(Map.of("tag", "t" + i));
        String many = String.join(" ", java.util.Collections.nCopies(512, "survive"));
        var ok = api.post("/collections/docs/search", json(Map.of("query", many, "mode", "lexical", "filter", Map.of("or", some))));
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
    }

    @Test
    void bytesThatAreNotCleanUtf8JsonAre400s() {
        byte[][] bodies = {
                {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'},
                {'{', '"', 'q', 'u', 'e', 'r', 'y', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'},   // overlong '/'
                {'{', '"', 'q', 'u', 'e', 'r', 'y', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'}, // encoded surrogate
                {'{', '"', 'q', 'u', 'e', 'r', 'y', '"', ':', '"', (byte) 0xFF, '"', '}'},
        };
        for (byte[] body : bodies) {
            var r = api.post("/collections/docs/search", "application/json", HttpRequest.BodyPublishers.ofByteArray(body));
            assertThat(r.status()).as(r.raw()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("invalid_json");
        }
        var bom = api.post("/collections/docs/search", "application/json", HttpRequest.BodyPublishers.ofByteArray(bodies[0]));
        assertThat(bom.errorMessage()).contains("byte-order mark");
    }

    @Test
    void multipartPutIs415() {
        String body = "--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nno-such\r\n--b--\r\n";
        var r = api.send("PUT", "/collections/formy", "multipart/form-data; boundary=b", body);
        assertThat(r.status()).as(r.raw()).isEqualTo(415);
        var form = api.send("PUT", "/collections/formy", "application/x-www-form-urlencoded", "model=x");
        assertThat(form.status()).as(form.raw()).isEqualTo(415);
        assertThat(api.get("/collections/formy").status()).isEqualTo(404);
        assertThat(api.send("PUT", "/collections/formy", "text/plain", null).status()).isEqualTo(201);
    }

    @Test
    void unknownModelErrorNamesNoPath() {
        var r = api.put("/collections/nomodel", "{\"model\":\"no-such-model\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.errorMessage()).contains("no-such-model").doesNotContain("/").doesNotContain(TestServers.modelsDir().toString());
    }

    @Test
    void badChunkSizesAre4xxOrAClosedConnection() {
        for (String size : List.of("ffffffffffffffff", "-1", "zz", "1;" + "x".repeat(10_000), "99999999999999999999")) {
            var r = RawHttp.exchange(server.port(), "POST /collections/docs/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\n{}\r\n0\r\n\r\n", 10_000);
            assertThat(r.status()).as(size + ": " + r.text()).isIn(-1, 400, 413);
            var nd = RawHttp.exchange(server.port(), "POST /collections/docs/documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\n{}\r\n0\r\n\r\n", 10_000);
            assertThat(nd.status()).as(size + ": " + nd.text()).isIn(-1, 400, 413);
        }
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    @Test
    void searchesRacingACollectionDeleteGet200Or404() throws Exception {
        for (int round = 0; round < 4; round++) {
            String name = "racing" + round;
            assertThat(api.put("/collections/" + name, null).status()).isEqualTo(201);
            assertThat(api.post("/collections/" + name + "/documents", json(Map.of("documents", List.of(
                    doc("a", "alpha beta", Map.of()), doc("b", "beta gamma", Map.of()))))).status()).isEqualTo(200);
            List<CompletableFuture<ApiClient.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                replies.add(CompletableFuture.supplyAsync(() -> api.post("/collections/" + name + "/search", "{\"query\":\"beta\",\"mode\":\"lexical\"}")));
                replies.add(CompletableFuture.supplyAsync(() -> api.get("/collections/" + name + "/documents/a")));
                if (i == 10) replies.add(CompletableFuture.supplyAsync(() -> api.delete("/collections/" + name)));
            }
            for (var f : replies) {
                var r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.status()).as(r.raw()).isIn(200, 404);
            }
        }
    }

    @Test
    void clientErrorsLogNoErrorAndNoStackTrace() {
        api.post("/collections/docs/search", "{\"query\":" + "[".repeat(2000));
        api.post("/collections/docs/search", "{\"query\":\"x\",\"k\":" + "1".repeat(3000) + "}");
        RawHttp.exchange(server.port(), "POST /collections/docs/search HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"qu", 200);
        assertThat(api.get("/health").status()).isEqualTo(200);
        assertThat(log.errorsAndStackTraces()).isEmpty();
    }

    @Test
    void webSocketProtocolErrorsCloseWithTheirStatus() throws Exception {
        Map<Integer, RawWebSocketAction> refused = new java.util.LinkedHashMap<>();
        refused.put(1002, ws -> ws.frame(0x81, "{}".getBytes(StandardCharsets.UTF_8), false)); // clients must mask
        refused.put(1009, ws -> ws.frameHeader(0x81, 10L * io.poisk.server.live.LiveSearchLimits.DEFAULTS.transportMessageBytes(), true));
        for (var e : refused.entrySet()) {
            try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/search")) {
                e.getValue().run(ws);
                assertThat(ws.closeCode()).as("close status").isEqualTo(e.getKey());
            }
        }
        try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/search")) {
            ws.text("{\"id\":1,\"collection\":\"docs\",\"query\":" + "[".repeat(500) + "]".repeat(500) + "}");
            assertThat(ws.nextText()).contains("limits.json_max_depth");
        }
        assertThat(api.get("/health").status()).isEqualTo(200);
    }

    interface RawWebSocketAction {
        void run(RawWebSocket ws) throws java.io.IOException;
    }

    private static void expect(ApiClient.Reply r, int status, String mention) {
        assertThat(r.status()).as(r.raw().length() > 500 ? r.raw().substring(0, 500) : r.raw()).isEqualTo(status);
        JsonNode error = r.body().path("error");
        assertThat(error.path("message").asText()).contains(mention);
    }
}
