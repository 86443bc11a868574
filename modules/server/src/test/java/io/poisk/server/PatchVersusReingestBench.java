package io.poisk.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Changing a field of N documents, three ways, over HTTP with the real e5-small-v2 model: re-ingesting them
 * with inference (what every field fix cost before: measured as the first ingest of the same documents),
 * PATCH in batches, and re-POSTing them with unchanged text (which now reuses the stored vectors). Counts the
 * texts embedded during each, from the engine's batcher statistics.
 * <p>{@code mvn -o -pl modules/server test -Dtest=PatchVersusReingestBench -Dsurefire.excludedGroups=none [-Dbench.docs=10000]}
 */
@Tag("bench")
@Tag("model")
class PatchVersusReingestBench {
    private static final String MODEL = "e5-small-v2";
    private static final String[] SUBJECTS = {"the harbour", "a mountain village", "the city library", "an old railway",
            "the river delta", "a desert observatory", "the night market", "a northern forest"};
    private static final String[] EVENTS = {"reopened after repairs", "held its yearly festival", "lost power in a storm",
            "welcomed a record number of visitors", "started a restoration project", "was featured in a documentary"};

    @TempDir
    Path dir;

    private static String text(int i) {
        return "Report " + i + ": " + SUBJECTS[i % SUBJECTS.length] + " " + EVENTS[(i / SUBJECTS.length) % EVENTS.length]
                + " in week " + (i % 52 + 1) + ".";
    }

    @Test
    void patchVersusReingest() throws Exception {
        int n = Integer.getInteger("bench.docs", 2000);
        int ingestBatch = 100;
        int patchBatch = 1000;
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/bench", ApiClient.json(Map.of("fields", Map.of("status", "keyword")))).status()).isEqualTo(201);
            // Warm the model and the path with a separate collection, so the ingest timing is steady state.
            assertThat(api.put("/collections/warm", null).status()).isEqualTo(201);
            List<Map<String, Object>> warm = new ArrayList<>();
            for (int i = 0; i < 64; i++) warm.add(Map.of("id", "w" + i, "text", text(i)));
            assertThat(api.post("/collections/warm/documents", ApiClient.json(Map.of("documents", warm))).status()).isEqualTo(200);

            long e0 = embedded(server);
            long t0 = System.nanoTime();
            for (int from = 0; from < n; from += ingestBatch) {
                List<Map<String, Object>> docs = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + ingestBatch); i++) {
                    docs.add(Map.of("id", "d" + i, "text", text(i), "fields", Map.of("status", "draft", "i", i)));
                }
                var r = api.post("/collections/bench/documents", ApiClient.json(Map.of("documents", docs)));
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
            }
            double ingestS = (System.nanoTime() - t0) / 1e9;
            long ingestTexts = embedded(server) - e0;

            long e1 = embedded(server);
            long t1 = System.nanoTime();
            for (int from = 0; from < n; from += patchBatch) {
                List<Map<String, Object>> patches = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + patchBatch); i++) {
                    patches.add(Map.of("id", "d" + i, "fields", Map.of("status", "published")));
                }
                var r = api.send("PATCH", "/collections/bench/documents", "application/json",
                        ApiClient.json(Map.of("documents", patches)));
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
                assertThat(r.body().path("not_found").size()).isZero();
            }
            double patchS = (System.nanoTime() - t1) / 1e9;
            long patchTexts = embedded(server) - e1;

            long e2 = embedded(server);
            long t2 = System.nanoTime();
            for (int from = 0; from < n; from += ingestBatch) {
                List<Map<String, Object>> docs = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + ingestBatch); i++) {
                    docs.add(Map.of("id", "d" + i, "text", text(i), "fields", Map.of("status", "archived", "i", i)));
                }
                var r = api.post("/collections/bench/documents", ApiClient.json(Map.of("documents", docs)));
                assertThat(r.status()).as(r.raw()).isEqualTo(200);
            }
            double sameTextS = (System.nanoTime() - t2) / 1e9;
            long sameTextTexts = embedded(server) - e2;

            var archived = api.post("/collections/bench/search", ApiClient.json(Map.of("query", "festival", "k", 5,
                    "filter", Map.of("status", "archived"))));
            assertThat(archived.body().path("hits").size()).isEqualTo(5);
            assertThat(patchTexts).isZero();
            assertThat(sameTextTexts).isZero();
            assertThat(ingestTexts).isEqualTo(n);

            Map<String, Object> skipped = new LinkedHashMap<>();
            skipped.putAll((Map<String, Object>) server.engine().stats().get("ingest"));
            BenchSetup.report("patch-vs-reingest", String.format(
                    "%d documents (~20 tokens each), e5-small-v2 on ONNX Runtime, over HTTP%n"
                            + "re-ingest with inference (batches of %d): %.1f s, %.0f docs/s, %d texts embedded%n"
                            + "PATCH fields (batches of %d):             %.2f s, %.0f docs/s, %d texts embedded%n"
                            + "POST with unchanged text (batches of %d):  %.2f s, %.0f docs/s, %d texts embedded, %s%n"
                            + "ratio re-ingest / PATCH: %.1fx; re-ingest / unchanged-text POST: %.1fx",
                    n, ingestBatch, ingestS, n / ingestS, ingestTexts, patchBatch, patchS, n / patchS, patchTexts,
                    ingestBatch, sameTextS, n / sameTextS, sameTextTexts, skipped, ingestS / patchS, ingestS / sameTextS));
        }
    }

    private static long embedded(PoiskServer server) {
        var s = server.engine().embeddingStats(MODEL);
        return s == null ? 0 : s.texts();
    }
}
