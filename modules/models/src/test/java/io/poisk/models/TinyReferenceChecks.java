package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares a loaded model with its entry in the tiny models' reference.json (make_tiny_models.py): every text
 * one at a time and each case in one padded batch, to {@link #TOLERANCE}. Returns the largest difference seen.
 */
final class TinyReferenceChecks {
    static final double TOLERANCE = 1e-4;

    private TinyReferenceChecks() {}

    /** Embeds every case of `cases` (single and batched) and checks each vector; returns the max |Java - Python|. */
    static double assertEmbedderMatches(Embedder embedder, JsonNode cases, String what) {
        double worst = 0;
        int compared = 0;
        for (JsonNode c : cases) {
            EmbeddingRole role = role(c);
            String instruction = instruction(c);
            List<String> texts = TinyModels.strings(c.get("texts"));
            for (int i = 0; i < texts.size(); i++) {
                float[] single = embedder.embed(List.of(texts.get(i)), role, instruction)[0];
                worst = Math.max(worst, assertClose(single, TinyModels.floats(c.get("single").get(i)), what + " single " + role + " " + texts.get(i)));
                compared++;
            }
            float[][] batched = embedder.embed(texts, role, instruction);
            for (int i = 0; i < texts.size(); i++) {
                worst = Math.max(worst, assertClose(batched[i], TinyModels.floats(c.get("batched").get(i)), what + " batched " + role + " " + texts.get(i)));
                compared++;
            }
        }
        assertThat(compared).as(what + ": vectors compared").isGreaterThanOrEqualTo(16);
        return worst;
    }

    /** Scores every case one document at a time and all documents in one batch; returns the max |Java - Python|. */
    static double assertRerankerMatches(Reranker reranker, JsonNode cases, String what) {
        double worst = 0;
        int compared = 0;
        for (JsonNode c : cases) {
            String query = c.get("query").asText();
            String instruction = instruction(c);
            List<String> documents = TinyModels.strings(c.get("documents"));
            float[] expectedSingle = TinyModels.floats(c.get("single"));
            float[] expectedBatched = TinyModels.floats(c.get("batched"));
            float[] batched = reranker.score(query, instruction, documents);
            for (int i = 0; i < documents.size(); i++) {
                float single = reranker.score(query, instruction, List.of(documents.get(i)))[0];
                worst = Math.max(worst, assertClose(new float[] {single}, new float[] {expectedSingle[i]},
                        what + " single " + query + " / " + documents.get(i)));
                worst = Math.max(worst, assertClose(new float[] {batched[i]}, new float[] {expectedBatched[i]},
                        what + " batched " + query + " / " + documents.get(i)));
                compared += 2;
            }
        }
        assertThat(compared).as(what + ": scores compared").isGreaterThanOrEqualTo(16);
        return worst;
    }

    static EmbeddingRole role(JsonNode c) {
        return EmbeddingRole.valueOf(c.get("role").asText().toUpperCase(Locale.ROOT));
    }

    static String instruction(JsonNode c) {
        return c.get("instruction").isNull() ? null : c.get("instruction").asText();
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double worst = 0;
        for (int d = 0; d < a.length; d++) worst = Math.max(worst, Math.abs((double) a[d] - b[d]));
        return worst;
    }

    private static double assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSize(expected.length);
        List<String> off = new ArrayList<>();
        for (int d = 0; d < expected.length; d++) {
            if (Math.abs(actual[d] - expected[d]) > TOLERANCE) off.add(d + ": " + actual[d] + " vs " + expected[d]);
        }
        assertThat(off).as(what).isEmpty();
        return maxAbsDiff(actual, expected);
    }
}
