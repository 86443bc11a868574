package io.poisk.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /metrics on a real server with the default model, after real ingest and searches: Vert.x's HTTP meters,
 * Poisk's own (search and inference histograms, collection gauges, cache, refusals, the auth hook) in the
 * Prometheus text format; /stats keeps its fields; /health/live and /health/ready answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class MetricsEndpointTest {
    @TempDir
    static Path dataDir;
    PoiskServer server;
    ApiClient api;

    @BeforeAll
    void startServer() {
        server = PoiskServer.start(TestServers.config(dataDir, Map.of("max_request_bytes", "4096")));
        api = new ApiClient(server.port());
        assertThat(api.put("/collections/metrics", null).status()).isEqualTo(201);
        List<Map<String, Object>> docs = List.of(
                Map.of("id", "quokka", "text", "The quokka is a small marsupial found on Rottnest Island."),
                Map.of("id", "bread", "text", "Sourdough bread rises slowly with wild yeast."),
                Map.of("id", "tram", "text", "Lisbon trams climb the steep hills of the Alfama district."));
        assertThat(api.post("/collections/metrics/documents", json(Map.of("documents", docs))).status()).isEqualTo(200);
        for (String q : List.of("marsupial", "bread", "marsupial", "tram hills")) {
            assertThat(api.post("/collections/metrics/search", json(Map.of("query", q, "k", 2))).status()).isEqualTo(200);
        }
        assertThat(api.post("/collections/metrics/search", json(Map.of("query", "bread", "mode", "lexical"))).status()).isEqualTo(200);
    }

    @AfterAll
    void stopServer() {
        if (server != null) server.close();
    }

    @Test
    void prometheusTextHasVertxAndPoiskMeters() {
        ApiClient.Reply r = api.get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        String text = r.raw();
        // Vert.x's own HTTP server meters, labelled by route pattern
        assertThat(text).contains("vertx_http_server_requests_total{").contains("route=\"/collections/:name/search\"");
        // 4 dense/hybrid searches and 1 lexical, as histograms histogram_quantile can read
        assertThat(value(text, "poisk_search_seconds_count{mode=\"hybrid\",outcome=\"ok\"}")).isEqualTo(4);
        assertThat(value(text, "poisk_search_seconds_count{mode=\"lexical\",outcome=\"ok\"}")).isEqualTo(1);
        assertThat(text).contains("poisk_search_seconds_bucket{mode=\"hybrid\",outcome=\"ok\",le=\"");
        assertThat(text).contains("poisk_index_search_seconds_bucket{");
        assertThat(value(text, "poisk_index_write_seconds_count")).isEqualTo(1); // the 3 documents in one slice
        // the 4 dense-using searches each walked the one (live) segment; the lexical one walked none
        assertThat(value(text, "poisk_segment_search_seconds_count{kind=\"live\"}")).isEqualTo(4);
        // inference: 3 documents + 3 distinct queries embedded; the repeated query came from the cache
        assertThat(value(text, "poisk_embedding_texts_total{model=\"e5-small-v2\"}")).isEqualTo(6);
        assertThat(value(text, "poisk_embedding_batch_size_sum{model=\"e5-small-v2\"}")).isEqualTo(6);
        assertThat(text).contains("poisk_embedding_inference_seconds_bucket{model=\"e5-small-v2\",le=\"")
                .contains("poisk_embedding_queue_wait_seconds_bucket{model=\"e5-small-v2\",le=\"")
                .contains("poisk_embedding_queue_depth{model=\"e5-small-v2\"} 0.0");
        assertThat(value(text, "cache_gets_total{cache=\"poisk_query_embedding\",result=\"hit\"}")).isEqualTo(1);
        assertThat(value(text, "cache_gets_total{cache=\"poisk_query_embedding\",result=\"miss\"}")).isEqualTo(3);
        assertThat(value(text, "poisk_collection_documents{collection=\"metrics\"}")).isEqualTo(3);
        assertThat(value(text, "poisk_collection_live_documents{collection=\"metrics\"}")).isEqualTo(3);
        assertThat(value(text, "poisk_collection_segments{collection=\"metrics\"}")).isEqualTo(0);
        assertThat(value(text, "poisk_collections_unavailable")).isEqualTo(0);
        assertThat(value(text, "poisk_collection_flushes_total{collection=\"metrics\"}")).isEqualTo(0);
        assertThat(value(text, "poisk_collection_merges_total{collection=\"metrics\"}")).isEqualTo(0);
        assertThat(text).contains("jvm_memory_used_bytes{");
    }

    @Test
    void aDeletedCollectionLeavesNoSeries() {
        assertThat(api.put("/collections/gone", null).status()).isEqualTo(201);
        assertThat(api.get("/metrics").raw()).contains("poisk_collection_merges_total{collection=\"gone\"}")
                .contains("poisk_collection_documents{collection=\"gone\"}");
        assertThat(api.delete("/collections/gone").status()).isEqualTo(200);
        assertThat(api.get("/metrics").raw()).doesNotContain("collection=\"gone\"");
    }

    @Test
    void refusalsAreCountedByReason() {
        String big = json(Map.of("query", "x".repeat(5000)));
        ApiClient.Reply r = api.post("/collections/metrics/search", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(value(api.get("/metrics").raw(), "poisk_rejected_requests_total{reason=\"payload_too_large\",status=\"413\"}"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void authFailureHookIsExported() {
        server.meters().authFailure("unknown_key");
        server.meters().authFailure("unknown_key");
        assertThat(value(api.get("/metrics").raw(), "poisk_auth_failures_total{reason=\"unknown_key\"}")).isEqualTo(2);
    }

    @Test
    void statsKeepsItsFields() {
        ApiClient.Reply r = api.get("/stats");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().path("query_embedding_cache").path("hits").asLong()).isEqualTo(1);
        assertThat(r.body().has("live_search")).isTrue();
    }

    @Test
    void liveAndReady() throws InterruptedException {
        ApiClient.Reply live = api.get("/health/live");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.body().path("status").asText()).isEqualTo("UP");
        // the model is loaded (documents were embedded), the data dir is a writable temp dir
        ApiClient.Reply ready = api.get("/health/ready");
        assertThat(ready.status()).as(ready.raw()).isEqualTo(200);
        assertThat(ready.body().path("checks").get(0).path("data").path("default_model_loaded").asBoolean()).isTrue();
        assertThat(api.get("/health").body().path("status").asText()).isEqualTo("up");
    }

    @Test
    void accessLogHasOneLinePerRequestWithoutTheQueryString() throws InterruptedException {
        try (ServerLogCapture log = new ServerLogCapture()) {
            assertThat(api.get("/health?key=s3cret").status()).isEqualTo(200);
            // the line is written when the response ends, on the event loop: bounded wait for it
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!log.text().contains("path=/health ") && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(log.text()).contains("poisk.access").contains("method=GET path=/health status=200").contains("request_id=")
                    .doesNotContain("s3cret");
        }
    }

    /** The sample value of one exact series line in the text format. */
    static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as("series %s in /metrics", series).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
