package io.poisk.server;

import io.poisk.server.bus.EventBusApiVerticle;
import io.poisk.server.http.HttpApiVerticle;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static io.poisk.server.ApiClient.json;
import static io.poisk.server.HttpApiTest.doc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded fuzzing of every transport against a real server (the real default model): every route of
 * /openapi.yaml with hostile bodies, paths, ids, methods and headers, raw HTTP with bad chunking, the
 * WebSocket and SSE live search and the event-bus addresses. No reply may be a 5xx or carry stack-trace text,
 * /health must answer after each class of cases, and the server must log no ERROR. Replay with
 * {@code -Dpoisk.fuzz.seed=N}; the slow variant runs ten times the cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class ApiFuzzTest {
    static final long SEED = Long.getLong("poisk.fuzz.seed", 20261202L);
    private static final Pattern STACK_TRACE = Pattern.compile("\\tat |\\bat (io|java|com|org)\\.[\\w.$]+\\(|\\.java:\\d+|Exception:|NullPointer");

    @TempDir
    static Path dataDir;
    PoiskServer server;
    ApiClient api;
    ServerLogCapture log;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    List<Map.Entry<String, List<String>>> routes;

    @BeforeAll
    void startServer() throws Exception {
        log = new ServerLogCapture();
        server = PoiskServer.start(TestServers.config(dataDir, Map.of("max_request_bytes", String.valueOf(1 << 20),
                "max_document_bytes", "16384", "limits.json_max_string_length", "65536",
                // short, so raw requests that promise more body than they send end quickly
                "limits.body_timeout_ms", "500", "limits.header_timeout_ms", "2000")));
        api = new ApiClient(server.port());
        routes = documentedRoutes();
        seedCollection();
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
    void fuzzEveryTransport() throws Exception {
        run(1);
    }

    @Test
    @Tag("slow")
    void fuzzEveryTransportTenTimesLonger() throws Exception {
        run(10);
    }

    private void run(int scale) throws Exception {
        FuzzInputs in = new FuzzInputs(SEED * 31 + scale);
        Map<String, String> counts = new LinkedHashMap<>();
        long started = System.nanoTime();
        int total = 0;
        total += timed(counts, "http routes x bodies", () -> httpRoutes(in, 1200 * scale));
        total += timed(counts, "paths and ids", () -> pathsAndIds(in, 600 * scale));
        total += timed(counts, "methods and headers (raw)", () -> rawRequests(in, 300 * scale));
        total += timed(counts, "chunked bodies (raw)", () -> chunked(in, 150 * scale));
        total += timed(counts, "websocket messages", () -> webSocket(in, 300 * scale));
        total += timed(counts, "websocket frames (raw)", () -> webSocketFrames(in, 15 * scale));
        total += timed(counts, "sse streams", () -> sse(in, 150 * scale));
        total += timed(counts, "event bus", () -> eventBus(in, 600 * scale));
        System.out.printf("fuzz seed %d scale %d: %d cases in %d s: %s%n", SEED, scale, total,
                (System.nanoTime() - started) / 1_000_000_000, counts);
        assertThat(failures).as("fuzz failures (seed " + SEED + ")").isEmpty();
        assertThat(log.errorsAndStackTraces()).as("ERROR lines or stack traces in the server log").isEmpty();
    }

    interface FuzzClass {
        int run() throws Exception;
    }

    /** Runs one class of cases, recording "cases (seconds)" under its name. */
    private static int timed(Map<String, String> counts, String name, FuzzClass cases) throws Exception {
        long t0 = System.nanoTime();
        int n = cases.run();
        counts.put(name, n + " (" + (System.nanoTime() - t0) / 1_000_000 / 1000.0 + " s)");
        return n;
    }

    private void seedCollection() {
        assertThat(api.put("/collections/fuzz", "{\"fields\":{\"tag\":\"keyword\",\"year\":\"long\"}}").status()).isIn(200, 201);
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = 0; i < 5; i++) docs.add(doc("doc-" + i, "the quick brown fox number " + i, Map.of("tag", "t" + i, "year", 2000 + i)));
        assertThat(api.post("/collections/fuzz/documents", json(Map.of("documents", docs))).status()).isEqualTo(200);
    }

    /** Path templates and their methods, from the OpenAPI document the server serves. */
    private List<Map.Entry<String, List<String>>> documentedRoutes() throws Exception {
        JsonNode doc;
        try (InputStream yaml = getClass().getClassLoader().getResourceAsStream(HttpApiVerticle.OPENAPI_RESOURCE)) {
            doc = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        }
        List<Map.Entry<String, List<String>>> out = new ArrayList<>();
        doc.path("paths").properties().forEach(p -> {
            List<String> methods = new ArrayList<>();
            p.getValue().fieldNames().forEachRemaining(m -> {
                if (!m.equals("parameters")) methods.add(m.toUpperCase(java.util.Locale.ROOT));
            });
            out.add(Map.entry(p.getKey(), methods));
        });
        assertThat(out).hasSizeGreaterThan(8);
        return out;
    }

    private int httpRoutes(FuzzInputs in, int n) {
        for (int i = 0; i < n; i++) {
            var route = in.pick(routes);
            String method = in.below(5) == 0 ? in.pick(FuzzInputs.METHODS) : in.pick(route.getValue());
            String path = route.getKey().replace("{name}", in.below(4) == 0 ? in.name() : "fuzz").replace("{id}", in.segment());
            byte[] body = in.below(6) == 0 ? new byte[0] : in.body();
            String type = in.below(4) == 0 ? in.pick(FuzzInputs.CONTENT_TYPES) : route.getKey().endsWith("documents") && in.below(3) == 0
                    ? "application/x-ndjson" : "application/json";
            if ("application/x-ndjson".equals(type) && in.below(2) == 0) body = FuzzInputs.concat(body, ("\n" + new String(in.body(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
            send("http#" + i, method, path, type, body, Map.of());
        }
        healthy("http routes");
        return n;
    }

    private int pathsAndIds(FuzzInputs in, int n) {
        for (int i = 0; i < n; i++) {
            String path = switch (in.below(4)) {
                case 0 -> "/collections/" + in.name() + "/documents/" + in.segment();
                case 1 -> "/collections/" + in.segment() + "/" + in.segment();
                case 2 -> "/" + in.segment() + "/" + in.segment() + "/" + in.segment() + "/" + in.segment();
                default -> "/collections/fuzz/documents/" + in.segment() + "/" + in.segment();
            };
            if (in.below(2) == 0) {
                // ingest an odd id, then address it
                String id = in.id();
                send("ingest-id#" + i, "POST", "/collections/fuzz/documents", "application/json",
                        safeJson(Map.of("documents", List.of(Map.of("id", id, "text", "odd id")))), Map.of());
                path = "/collections/fuzz/documents/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
            }
            String method = in.pick(new String[]{"GET", "DELETE", "GET", "PUT", "POST"});
            String raw = method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            RawHttp.Reply r = RawHttp.exchange(server.port(), raw.getBytes(StandardCharsets.UTF_8), 30_000);
            check("path#" + i + " " + abbreviate(raw), r.status(), r.text(), true);
        }
        assertThat(api.get("/collections/fuzz").status()).as("the fuzz collection survives odd paths").isIn(200, 404);
        healthy("paths and ids");
        return n;
    }

    private int rawRequests(FuzzInputs in, int n) {
        for (int i = 0; i < n; i++) {
            String method = in.pick(FuzzInputs.METHODS);
            var route = in.pick(routes);
            String path = route.getKey().replace("{name}", "fuzz").replace("{id}", "doc-1");
            byte[] body = in.body();
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1." + in.below(2) + "\r\n");
            if (in.below(8) != 0) head.append("Host: x\r\n");
            String type = in.pick(FuzzInputs.CONTENT_TYPES);
            if (type != null) head.append("Content-Type: ").append(type).append("\r\n");
            switch (in.below(6)) {
                case 0 -> head.append("Content-Length: ").append(in.pick(new String[]{"abc", "-1", "99999999999999999999", " 5", "1, 2"})).append("\r\n");
                case 1 -> head.append("Content-Length: ").append(body.length).append("\r\nContent-Length: ").append(body.length + 1).append("\r\n");
                case 2 -> head.append("X-Big: ").append("h".repeat(in.below(20_000))).append("\r\n");
                case 3 -> head.append(in.unicode(5)).append(": ").append(in.unicode(5)).append("\r\n");
                default -> head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            byte[] request = FuzzInputs.concat(head.toString().getBytes(StandardCharsets.UTF_8), body);
            RawHttp.Reply r = RawHttp.exchange(server.port(), request, 30_000, in.below(3) == 0);
            check("raw#" + i + " " + abbreviate(head.toString()), r.status(), r.text(), true);
        }
        healthy("raw requests");
        return n;
    }

    private int chunked(FuzzInputs in, int n) {
        String[] sizes = {"ffffffffffffffff", "-1", "zz", "0x10", "10;ext=" + "e".repeat(100), "7fffffff", "99999999999999999999", "", " 5", "5 "};
        for (int i = 0; i < n; i++) {
            String path = in.pick(new String[]{"/collections/fuzz/search", "/collections/fuzz/documents", "/collections/fuzz"});
            String method = path.endsWith("fuzz") ? "PUT" : "POST";
            String type = path.endsWith("documents") && in.below(2) == 0 ? "application/x-ndjson" : "application/json";
            byte[] body = in.body();
            String size = in.below(3) == 0 ? Integer.toHexString(body.length) : in.pick(sizes);
            byte[] request = FuzzInputs.concat((method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + type
                    + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + size + "\r\n").getBytes(StandardCharsets.UTF_8),
                    FuzzInputs.concat(body, "\r\n0\r\n\r\n".getBytes(StandardCharsets.UTF_8)));
            RawHttp.Reply r = RawHttp.exchange(server.port(), request, 30_000, in.below(3) != 0);
            check("chunked#" + i + " size " + abbreviate(size), r.status(), r.text(), true);
        }
        healthy("chunked bodies");
        return n;
    }

    private int webSocket(FuzzInputs in, int n) throws Exception {
        List<String> replies = Collections.synchronizedList(new ArrayList<>());
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/search"),
                new WebSocket.Listener() {
                    final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            replies.add(text.toString());
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        int sent = 0;
        for (int i = 0; i < n; i++) {
            Map<String, Object> message = new LinkedHashMap<>(in.apiShaped());
            message.put("id", in.below(10) == 0 ? in.value(1) : i);
            message.put("collection", in.below(5) == 0 ? in.value(1) : "fuzz");
            String text = in.below(5) == 0 ? new String(in.body(), StandardCharsets.UTF_8) : new String(safeJson(message), StandardCharsets.UTF_8);
            try {
                ws.sendText(text, true).get(10, TimeUnit.SECONDS);
                sent++;
            } catch (java.util.concurrent.ExecutionException e) {
                if (ws.isOutputClosed()) break; // the server may close on a message over the transport limit
            }
        }
        Thread.sleep(2000);
        ws.abort();
        for (String reply : List.copyOf(replies)) check("ws reply", 200, reply, false);
        assertThat(replies).as("the socket answered").isNotEmpty();
        healthy("websocket");
        return sent;
    }

    private int webSocketFrames(FuzzInputs in, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/search")) {
                ws.readTimeout(1500); // a frame the server answers without closing leaves the socket open: fine
                switch (in.below(5)) {
                    case 0 -> ws.frame(0x81, in.body(), false);
                    case 1 -> ws.frame(0x80 | (in.below(16)), in.body(), true);
                    case 2 -> ws.frameHeader(0x81, (1L << 20) + in.below(1 << 20), true);
                    case 3 -> ws.frame(0x82, in.body(), true);
                    default -> ws.frame(0x01, in.body(), true); // a fragment that never ends
                }
                int code = ws.closeCode();
                assertThat(code).as("raw frame #" + i).isNotIn(1011);
            } catch (java.io.IOException e) {
                // the server closing mid-write is an acceptable end
            }
        }
        healthy("websocket frames");
        return n;
    }

    private int sse(FuzzInputs in, int n) throws Exception {
        String[] params = {"query", "instruction", "k", "mode", "filter", "fusion", "rerank", "top_n", "bogus"};
        for (int i = 0; i < n; i++) {
            StringBuilder q = new StringBuilder();
            for (int p = in.below(5); p >= 0; p--) {
                String name = p == 0 && in.below(4) != 0 ? "query" : in.pick(params);
                Object value = name.equals("filter") || name.equals("fusion") ? (in.below(2) == 0 ? json(in.value(2)) : in.string()) : in.value(1);
                q.append(q.isEmpty() ? "?" : "&").append(name).append('=')
                        .append(URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8));
            }
            String path = "/collections/" + (in.below(5) == 0 ? in.name() : "fuzz") + "/search/stream" + q;
            if (path.length() > 3500) path = path.substring(0, 3500);
            send("sse#" + i, "GET", path, null, new byte[0], Map.of("Accept", "text/event-stream"));
        }
        healthy("sse");
        return n;
    }

    private int eventBus(FuzzInputs in, int n) throws Exception {
        String[] addresses = {EventBusApiVerticle.SEARCH, EventBusApiVerticle.INGEST, EventBusApiVerticle.COLLECTIONS};
        for (int i = 0; i < n; i++) {
            String address = in.pick(addresses);
            Map<String, Object> shaped = new LinkedHashMap<>(in.apiShaped());
            shaped.put(address.equals(EventBusApiVerticle.COLLECTIONS) ? "name" : "collection", in.below(4) == 0 ? in.value(1) : "fuzz");
            if (address.equals(EventBusApiVerticle.COLLECTIONS)) shaped.put("action", in.pick(new String[]{"list", "describe", "create", "delete", "x"}));
            Object body = switch (in.below(6)) {
                case 0 -> new String(in.body(), StandardCharsets.UTF_8);
                case 1 -> Buffer.buffer(in.body());
                case 2 -> new JsonArray().add(1);
                case 3 -> in.below(2) == 0 ? null : 42;
                default -> new JsonObject(shaped);
            };
            if (body instanceof JsonObject o && "delete".equals(o.getValue("action"))) o.put("name", "fuzz-b");
            Future<?> reply = server.vertx().eventBus().request(address, body, new DeliveryOptions().setSendTimeout(60_000));
            try {
                reply.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof ReplyException re) {
                    check("bus#" + i + " " + address + " " + re.failureType(), re.failureCode(), String.valueOf(re.getMessage()), false);
                } else {
                    failures.add("bus#" + i + ": " + e.getCause());
                }
            }
        }
        healthy("event bus");
        return n;
    }

    private void send(String where, String method, String path, String type, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(120))
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } catch (IllegalArgumentException e) {
            RawHttp.Reply r = RawHttp.exchange(server.port(), FuzzInputs.concat((method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8), body), 60_000);
            check(where + " " + method + " " + abbreviate(path), r.status(), r.text(), true);
            return;
        }
        if (type != null) b.header("Content-Type", type);
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            check(where + " " + method + " " + abbreviate(path), r.statusCode(), r.body(), false);
        } catch (java.io.IOException e) {
            // a connection the server closed on a refused body; the next check of /health shows it is up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void check(String where, int status, String text, boolean closedIsFine) {
        if (status >= 500 || (status < 0 && !closedIsFine)) failures.add(where + " -> " + status + " " + abbreviate(text));
        if (text != null && STACK_TRACE.matcher(text).find()) failures.add(where + " -> stack trace text: " + abbreviate(text));
        if (text != null && text.contains("\"internal\"")) failures.add(where + " -> internal error: " + abbreviate(text));
    }

    private void healthy(String after) {
        assertThat(api.get("/health").status()).as("/health after " + after).isEqualTo(200);
    }

    private static byte[] safeJson(Object value) {
        try {
            return json(value).getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return "{}".getBytes(StandardCharsets.UTF_8);
        }
    }

    private static String abbreviate(String s) {
        if (s == null) return "null";
        return s.length() > 300 ? s.substring(0, 300) + "…(" + s.length() + " chars)" : s;
    }
}
