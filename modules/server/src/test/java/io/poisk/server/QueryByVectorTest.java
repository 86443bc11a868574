package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.PoiskConfig;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.ModelRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

/**
 * Vectors on a collection with the real default model: a query's own vector (made by the same model, outside the
 * server) finds what its text finds, with the same scores; a document given a vector is indexed with it as is; and
 * a vector that does not fit the model's dimension, or a zero vector under its cosine, is a 400.
 */
@Tag("model")
class QueryByVectorTest {
    private static final String C = "/collections/e5";
    private static final List<String> TEXTS = List.of("The lighthouse keeper watched ships pass the rocky coast.",
            "Sourdough bread rises slowly with wild yeast.", "A marathon runner trains on long hills every weekend.",
            "The violin concerto was played by a young soloist.", "Tomatoes grow best in warm sunny gardens.",
            "The Roman empire built roads across Europe.");
    private static final List<String> QUERIES = List.of("baking bread at home", "ships near the sea", "growing vegetables",
            "classical music performance");

    @TempDir
    Path dataDir;

    @Test
    void aQueryVectorFindsWhatItsTextFindsAndGivenDocumentVectorsAreUsedAsIs() {
        String model = PoiskConfig.defaults().string("default_model");
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()));
             ModelRegistry models = new ModelRegistry(TestServers.modelsDir())) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put(C, null).status()).isEqualTo(201);
            List<Map<String, Object>> docs = new ArrayList<>();
            for (int i = 0; i < TEXTS.size(); i++) docs.add(Map.of("id", "t" + i, "text", TEXTS.get(i)));
            assertThat(api.post(C + "/documents", json(Map.of("documents", docs))).status()).isEqualTo(200);

            float[][] queryVectors = models.embedder(model).embed(QUERIES, EmbeddingRole.QUERY, null);
            for (int q = 0; q < QUERIES.size(); q++) {
                JsonNode byText = search(api, Map.of("query", QUERIES.get(q), "mode", "dense", "k", 3));
                JsonNode byVector = search(api, Map.of("vector", queryVectors[q], "k", 3));
                assertThat(byVector.get(0).path("id").asText()).as(QUERIES.get(q)).isEqualTo(byText.get(0).path("id").asText());
                assertThat(byVector.get(0).path("score").asDouble()).isCloseTo(byText.get(0).path("score").asDouble(), offset(1e-3));
                // Hybrid with both: the text's lexical side, the given vector's dense side, the same as the text alone.
                JsonNode hybridBoth = search(api, Map.of("query", QUERIES.get(q), "vector", queryVectors[q], "k", 3));
                JsonNode hybridText = search(api, Map.of("query", QUERIES.get(q), "k", 3));
                assertThat(ids(hybridBoth)).isEqualTo(ids(hybridText));
            }

            // A document given a vector keeps it: its text says nothing of volcanoes, its vector does.
            float[] volcano = models.embedder(model).embed(List.of("An erupting volcano poured lava down the mountain."),
                    EmbeddingRole.PASSAGE, null)[0];
            var given = api.post(C + "/documents", json(Map.of("documents", List.of(
                    Map.of("id", "given", "text", "zzz qqq", "vector", volcano)))));
            assertThat(given.status()).as(given.raw()).isEqualTo(200);
            JsonNode lava = search(api, Map.of("query", "volcanic eruption and lava", "mode", "dense", "k", 1));
            assertThat(lava.get(0).path("id").asText()).isEqualTo("given");

            int dim = api.get(C).body().path("dimension").asInt();
            var wrong = api.post(C + "/search", json(Map.of("vector", new float[dim - 1])));
            assertThat(wrong.status()).isEqualTo(400);
            assertThat(wrong.errorMessage()).contains("has " + (dim - 1) + " numbers; collection 'e5' takes vectors of " + dim);
            var zero = api.post(C + "/search", json(Map.of("vector", new float[dim])));
            assertThat(zero.status()).isEqualTo(400);
            assertThat(zero.errorMessage()).contains("all zeros");
            var zeroDoc = api.post(C + "/documents", json(Map.of("documents", List.of(Map.of("id", "z", "text", "t", "vector", new float[dim])))));
            assertThat(zeroDoc.status()).isEqualTo(400);
            assertThat(zeroDoc.errorCode()).isEqualTo("invalid_document");
        }
    }

    private static JsonNode search(ApiClient api, Map<String, Object> body) {
        var r = api.post(C + "/search", json(body));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        return r.body().path("hits");
    }

    private static List<String> ids(JsonNode hits) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : hits) out.add(h.path("id").asText());
        return out;
    }
}
