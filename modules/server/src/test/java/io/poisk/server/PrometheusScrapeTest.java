package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's Prometheus scrapes a running Poisk every second; its own query API then answers the p99 of Poisk's
 * search latency histogram (histogram_quantile over rate of poisk_search_seconds_bucket), so the exposition is
 * one a real Prometheus reads, buckets and all.
 */
@Tag("process")
@Tag("model")
class PrometheusScrapeTest {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final String P99 = "histogram_quantile(0.99, sum by (le) (rate(poisk_search_seconds_bucket[1m])))";

    @TempDir
    Path dir;

    @Test
    void prometheusReadsTheSearchLatencyHistogram() throws Exception {
        assumeTrue(Files.isExecutable(PROMETHEUS), "needs Debian's prometheus at /usr/bin/prometheus");
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir.resolve("data"), Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/scraped", null).status()).isEqualTo(201);
            assertThat(api.post("/collections/scraped/documents", json(Map.of("documents", List.of(
                    Map.of("id", "a", "text", "Rye bread is baked from sourdough."),
                    Map.of("id", "b", "text", "The Volga flows into the Caspian Sea."))))).status()).isEqualTo(200);

            int promPort = freePort();
            Files.writeString(dir.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: poisk
                        metrics_path: /metrics
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(server.port()));
            Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
                double p99 = Double.NaN;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                int searches = 0;
                while (Double.isNaN(p99) && System.nanoTime() < deadline && prometheus.isAlive()) {
                    // searches keep coming so that rate() over the last scrapes is not zero
                    assertThat(api.post("/collections/scraped/search", json(Map.of("query", "bread " + searches++))).status()).isEqualTo(200);
                    p99 = query(http, promPort, P99);
                    if (Double.isNaN(p99)) Thread.sleep(500);
                }
                assertThat(p99).as("p99 from Prometheus after %d searches; its log:\n%s", searches,
                        Files.readString(dir.resolve("prometheus.log"))).isGreaterThan(0).isLessThan(60);
                assertThat(query(http, promPort, "sum(poisk_search_seconds_count)")).isGreaterThanOrEqualTo(1);
                assertThat(query(http, promPort, "up{job=\"poisk\"}")).isEqualTo(1);
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The first sample of an instant query, NaN while Prometheus is not up yet or has no (finite) value. */
    private static double query(HttpClient http, int port, String promql) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                    + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) return Double.NaN;
            JsonNode result = ApiClient.JSON.readTree(r.body()).path("data").path("result");
            if (result.isEmpty()) return Double.NaN;
            return Double.parseDouble(result.get(0).path("value").get(1).asText()); // "NaN" parses to NaN
        } catch (java.io.IOException e) {
            return Double.NaN; // not listening yet
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
