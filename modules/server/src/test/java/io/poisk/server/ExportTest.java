package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Export: the cursor pages, the NDJSON stream, export → import → export byte for byte, paging under concurrent ingest. */
@Tag("model")
class ExportTest {
    /** Small live segments and an eager merge, so flushes and merges happen while pages are read. */
    private static final Map<String, String> CONFIG = Map.of("index.live_segment_max_docs", "100", "index.merge_max_segments", "2");
    private static final int DOCS = 300;

    @TempDir
    Path dataDir;

    @Test
    void exportImportExportIsByteForByteTheSameAndPagesMatchTheStoredDocuments() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, CONFIG))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/src", null).status()).isEqualTo(201);
            for (int from = 0; from < DOCS; from += 100) {
                var r = api.post("/collections/src/documents", json(Map.of("documents", documents(from, from + 100, "first"))));
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
            }

            String first = body(api, "/collections/src/export", null);
            String[] lines = first.split("\n");
            assertThat(lines).hasSize(DOCS);
            assertThat(first).endsWith("\n");
            List<String> ids = new ArrayList<>();
            for (String line : lines) {
                JsonNode d = ApiClient.parse(line);
                ids.add(d.path("id").asText());
                var stored = api.get("/collections/src/documents/" + URLEncoder.encode(d.path("id").asText(), StandardCharsets.UTF_8).replace("+", "%20"));
                assertThat(stored.status()).isEqualTo(200);
                assertThat(line).as("a line is the document as GET returns it").isEqualTo(stored.raw());
            }
            assertThat(ids).isSortedAccordingTo(String::compareTo).doesNotHaveDuplicates();

            // Import the export into a new collection and export that: the same bytes.
            assertThat(api.put("/collections/dst", null).status()).isEqualTo(201);
            var imported = api.post("/collections/dst/documents", "application/x-ndjson", HttpRequest.BodyPublishers.ofString(first));
            assertThat(imported.status()).as(imported.raw()).isEqualTo(200);
            assertThat(imported.body().path("indexed").asInt()).isEqualTo(DOCS);
            String second = body(api, "/collections/dst/documents", "application/x-ndjson");
            assertThat(second.getBytes(StandardCharsets.UTF_8)).isEqualTo(first.getBytes(StandardCharsets.UTF_8));

            // Cursor pages walk the same documents in the same order.
            List<JsonNode> paged = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                var page = api.get("/collections/dst/documents?limit=7" + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(page.status()).as(page.raw()).isEqualTo(200);
                assertThat(page.body().path("documents").size()).isLessThanOrEqualTo(7);
                page.body().path("documents").forEach(paged::add);
                cursor = page.body().path("next_cursor").isNull() ? null : page.body().path("next_cursor").asText();
                pages++;
            } while (cursor != null && pages < 1000);
            assertThat(pages).isEqualTo((DOCS + 6) / 7);
            List<JsonNode> exported = new ArrayList<>();
            for (String line : lines) exported.add(ApiClient.parse(line));
            assertThat(paged).as("the pages hold the exported documents, in order").isEqualTo(exported);
            var defaultPage = api.get("/collections/dst/documents");
            assertThat(defaultPage.body().path("documents").size()).as("the default limit").isEqualTo(100);
            assertThat(defaultPage.body().path("next_cursor").isTextual()).isTrue();

            // Bad input.
            expectError(api.get("/collections/dst/documents?cursor=not-a-cursor"), 400, "bad_request", "invalid cursor");
            expectError(api.get("/collections/dst/documents?cursor=%25%25"), 400, "bad_request", "invalid cursor");
            expectError(api.get("/collections/dst/export?cursor=bm9wZQ"), 400, "bad_request", "invalid cursor");
            expectError(api.get("/collections/dst/documents?limit=0"), 400, "bad_request", "'limit' must be an integer from 1 to 1000");
            expectError(api.get("/collections/dst/documents?limit=1001"), 400, "bad_request", "'limit'");
            expectError(api.get("/collections/dst/documents?limit=ten"), 400, "bad_request", "'limit'");
            expectError(api.get("/collections/dst/documents?limit=1&limit=2"), 400, "bad_request", "once");
            String srcCursor = api.get("/collections/src/documents?limit=5").body().path("next_cursor").asText();
            expectError(api.get("/collections/dst/documents?cursor=" + srcCursor), 400, "bad_request", "collection 'src'");
            expectError(api.get("/collections/missing/documents"), 404, "collection_not_found", "'missing'");
            expectError(api.get("/collections/missing/export"), 404, "collection_not_found", "'missing'");

            // An export through an alias stays on the collection it started on when the alias is re-pointed.
            assertThat(api.put("/collections/other", null).status()).isEqualTo(201);
            assertThat(api.post("/collections/other/documents", json(Map.of("documents",
                    List.of(HttpApiTest.doc("zz-other", "only in other", Map.of()))))).status()).isEqualTo(200);
            assertThat(api.put("/aliases/current", json(Map.of("collection", "src"))).status()).isEqualTo(201);
            var viaAlias = api.get("/collections/current/documents?limit=250");
            assertThat(api.put("/aliases/current", json(Map.of("collection", "other"))).status()).isEqualTo(200);
            var rest = api.get("/collections/current/documents?limit=1000&cursor=" + viaAlias.body().path("next_cursor").asText());
            assertThat(rest.status()).as(rest.raw()).isEqualTo(200);
            assertThat(rest.body().path("documents").size()).isEqualTo(DOCS - 250);
            rest.body().path("documents").forEach(d -> assertThat(d.path("id").asText()).isNotEqualTo("zz-other"));
            assertThat(api.get("/collections/current/documents").body().path("documents").get(0).path("id").asText())
                    .as("a new export follows the alias").isEqualTo("zz-other");
        }
    }

    @Test
    void cursorPagingDuringConcurrentIngestReturnsEveryPreExistingDocumentExactlyOnce() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, CONFIG))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/busy", null).status()).isEqualTo(201);
            assertThat(api.post("/collections/busy/documents", json(Map.of("documents", documents(0, DOCS, "first")))).status()).isEqualTo(200);

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger batches = new AtomicInteger();
            ExecutorService writer = Executors.newSingleThreadExecutor();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            Future<?> writes = writer.submit(() -> {
                ApiClient own = new ApiClient(server.port());
                // Bounded in count and time: new ids sorting before, among and after the old ones, and replacements of old ones.
                for (int b = 0; b < 200 && !stop.get() && System.nanoTime() < deadline; b++) {
                    List<Map<String, Object>> docs = new ArrayList<>();
                    for (String prefix : List.of("a", "doc-0150x", "zz")) docs.add(HttpApiTest.doc(prefix + "-new-" + b, "new " + b, Map.of("b", b)));
                    docs.add(HttpApiTest.doc(id(b * 7 % DOCS), "replaced in batch " + b, Map.of("b", b)));
                    var r = own.post("/collections/busy/documents", json(Map.of("documents", docs)));
                    assertThat(r.status()).as(r.raw()).isEqualTo(200);
                    batches.incrementAndGet();
                }
            });
            Map<String, Integer> seen = new HashMap<>();
            List<String> order = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                int before = batches.get();
                var page = api.get("/collections/busy/documents?limit=13" + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(page.status()).as(page.raw()).isEqualTo(200);
                page.body().path("documents").forEach(d -> {
                    seen.merge(d.path("id").asText(), 1, Integer::sum);
                    order.add(d.path("id").asText());
                });
                cursor = page.body().path("next_cursor").isNull() ? null : page.body().path("next_cursor").asText();
                pages++;
                // Let a write land between pages (bounded), so the walk really interleaves with ingest and flushes.
                while (batches.get() == before && !writes.isDone() && System.nanoTime() < deadline) Thread.sleep(2);
            } while (cursor != null && pages < 10_000);
            stop.set(true);
            writes.get(60, TimeUnit.SECONDS);
            writer.shutdown();

            assertThat(batches.get()).as("ingest ran during the export").isGreaterThanOrEqualTo(20);
            assertThat(order).isSortedAccordingTo(String::compareTo);
            for (int i = 0; i < DOCS; i++) assertThat(seen.get(id(i))).as(id(i)).isEqualTo(1);
            assertThat(seen.values()).allMatch(n -> n == 1);
            System.out.printf("export under ingest: %d pages, %d documents, %d ingest batches meanwhile%n", pages, order.size(), batches.get());
        }
    }

    /** Documents with every kind of field value and text that needs escaping. */
    static List<Map<String, Object>> documents(int from, int to, String version) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("n", i);
            fields.put("ratio", i / 7.0);
            fields.put("big", 9_000_000_000L + i);
            fields.put("even", i % 2 == 0);
            fields.put("tag", "t" + (i % 5));
            fields.put("tags", List.of("x" + i, "y"));
            fields.put("nested", Map.of("deep", Map.of("k", "v" + i)));
            fields.put("none", null);
            String text = version + " document " + i + ": «поиск» \"quoted\"\nsecond line\ttab \\ backslash ✓ " + "😀".repeat(i % 3);
            docs.add(HttpApiTest.doc(id(i), text, fields));
        }
        return docs;
    }

    static String id(int i) {
        return String.format("doc-%04d", i) + (i % 10 == 0 ? " with space/slash" : "");
    }

    private static String body(ApiClient api, String path, String accept) throws Exception {
        HttpRequest.Builder b = api.request(path).GET();
        if (accept != null) b.header("Accept", accept);
        HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/x-ndjson");
        return r.body();
    }

    private static void expectError(ApiClient.Reply r, int status, String code, String messagePart) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.errorCode()).as(r.raw()).isEqualTo(code);
        assertThat(r.errorMessage()).as(r.raw()).contains(messagePart);
    }
}
