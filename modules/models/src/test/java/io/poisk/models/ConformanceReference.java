package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Expected e5-small-v2 vectors written by ops/models/reference_embeddings.py (Python ONNX Runtime). */
record ConformanceReference(List<Case> cases) {
    static final double MIN_COSINE = 0.9999;

    record Case(EmbeddingRole role, String text, float[] embedding) {}

    static ConformanceReference e5SmallV2() throws IOException {
        try (InputStream in = ConformanceReference.class.getResourceAsStream("/conformance/e5-small-v2.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                JsonNode e = c.get("embedding");
                float[] vector = new float[e.size()];
                for (int i = 0; i < vector.length; i++) vector[i] = (float) e.get(i).doubleValue();
                cases.add(new Case(EmbeddingRole.valueOf(c.get("role").asText().toUpperCase(Locale.ROOT)), c.get("text").asText(), vector));
            }
            return new ConformanceReference(cases);
        }
    }

    List<String> texts(EmbeddingRole role) {
        return cases.stream().filter(c -> c.role() == role).map(Case::text).toList();
    }

    List<Case> cases(EmbeddingRole role) {
        return cases.stream().filter(c -> c.role() == role).toList();
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** Every case embedded one at a time and all of a role in one padded batch match the reference. */
    void assertConforms(Embedder embedder) {
        assertThat(cases).hasSizeGreaterThanOrEqualTo(12);
        for (Case c : cases) {
            float[] single = embedder.embed(List.of(c.text()), c.role(), null)[0];
            assertThat(single).hasSize(c.embedding().length);
            assertThat(cosine(single, c.embedding())).as("single: %s", c.text()).isGreaterThanOrEqualTo(MIN_COSINE);
        }
        for (EmbeddingRole role : EmbeddingRole.values()) {
            List<Case> ofRole = cases(role);
            float[][] batched = embedder.embed(ofRole.stream().map(Case::text).toList(), role, null);
            for (int i = 0; i < ofRole.size(); i++) {
                assertThat(cosine(batched[i], ofRole.get(i).embedding())).as("batched: %s", ofRole.get(i).text())
                        .isGreaterThanOrEqualTo(MIN_COSINE);
                double norm = Math.sqrt(cosine(batched[i], batched[i]) == 0 ? 0 : dot(batched[i], batched[i]));
                assertThat(norm).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
            }
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }
}
