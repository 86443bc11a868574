package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ops/grafana/poisk.json is valid JSON and every metric its panels query exists in the /metrics output of a real
 * server that has embedded, searched, reranked (a tiny cross-encoder), refused a request and counted an auth failure.
 */
@Tag("model")
class GrafanaDashboardTest {
    static final Path DASHBOARD = Path.of(System.getProperty("poisk.repo.dir", "../..")).resolve("ops/grafana/poisk.json");
    /** A metric name is what stands right before a label matcher; functions stand before '('. */
    private static final Pattern METRIC = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");

    @TempDir
    Path dir;

    @Test
    void everyQueriedMetricIsExported() throws Exception {
        JsonNode dashboard = ApiClient.JSON.readTree(Files.readString(DASHBOARD));
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) queried.add(m.group(1));
            }
        }
        assertThat(queried).hasSizeGreaterThan(10);

        Path models = TinyRerankers.modelsDir(dir, TinyRerankers.CROSS_ENCODER);
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir.resolve("data"), Map.of("models_dir", models.toString(),
                "max_request_bytes", "4096", "index.live_segment_max_docs", "1")))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/dash", null).status()).isEqualTo(201);
            assertThat(api.post("/collections/dash/documents", json(Map.of("documents", List.of(
                    Map.of("id", "a", "text", "Rye bread is baked from sourdough."),
                    Map.of("id", "b", "text", "The Volga flows into the Caspian Sea."))))).status()).isEqualTo(200);
            assertThat(api.post("/collections/dash/search", json(Map.of("query", "bread", "rerank",
                    Map.of("model", TinyRerankers.CROSS_ENCODER)))).status()).isEqualTo(200);
            assertThat(api.post("/collections/dash/search", json(Map.of("query", "x".repeat(5000)))).status()).isEqualTo(413);
            server.meters().authFailure("missing_key");

            // a live segment of one document is flushed in the background: wait (bounded) for the counter to show it
            String text = api.get("/metrics").raw();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!text.matches("(?s).*\npoisk_collection_flushes_total\\{collection=\"dash\"\\} [1-9].*") && System.nanoTime() < deadline) {
                Thread.sleep(200);
                text = api.get("/metrics").raw();
            }
            assertThat(MetricsEndpointTest.value(text, "poisk_collection_flushes_total{collection=\"dash\"}")).isGreaterThanOrEqualTo(1);
            // after the flush a search walks an on-disk segment too
            assertThat(api.post("/collections/dash/search", json(Map.of("query", "river"))).status()).isEqualTo(200);
            text = api.get("/metrics").raw();
            assertThat(MetricsEndpointTest.value(text, "poisk_segment_search_seconds_count{kind=\"disk\"}")).isGreaterThanOrEqualTo(1);
            Set<String> exported = new TreeSet<>();
            Matcher series = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(text);
            while (series.find()) exported.add(series.group(1));
            Files.writeString(Path.of("target", "metrics-sample.txt"), text); // for whoever edits the dashboard next
            assertThat(exported).as("metric names in /metrics").containsAll(queried);
        }
    }
}
