package io.poisk.engine;

import io.poisk.core.Document;
import io.poisk.core.DocumentPatch;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchMode;
import io.poisk.core.Similarity;
import io.poisk.index.CollectionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine's side of collections without a model, with no models folder at all: create, index and search with
 * given vectors, the checks of those vectors, the lexical fallback of a text-only hybrid query, PATCH keeping a
 * vector, and a reopen of the engine over the same files.
 */
class OwnVectorsEngineTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path noModels;

    private Engine open() {
        return PoiskEngine.open(PoiskConfig.defaults().with(Map.of("data_dir", dataDir.toString(),
                "models_dir", noModels.toString(), "index.workers", "2")));
    }

    private static SearchRequest byVector(float[] v, int k) {
        return new SearchRequest(null, null, k, null, Map.of(), null, null, 0, null, v);
    }

    @Test
    void indexesSearchesChecksAndReopens() {
        CollectionOptions options = CollectionOptions.defaults();
        try (Engine engine = open()) {
            assertThat(engine.createCollectionWithoutModel("e", 3, Similarity.EUCLIDEAN, options).join()).isTrue();
            assertThat(engine.createCollectionWithoutModel("e", 3, Similarity.EUCLIDEAN, options).join()).isFalse();
            assertCode(() -> engine.createCollectionWithoutModel("e", 4, Similarity.EUCLIDEAN, options).join(), ErrorCode.COLLECTION_EXISTS);
            assertCode(() -> engine.createCollectionWithoutModel("z", 0, Similarity.DOT, options).join(), ErrorCode.BAD_REQUEST);
            assertCode(() -> engine.createCollectionWithoutModel("z", Similarity.MAX_DIMENSION + 1, Similarity.DOT, options).join(),
                    ErrorCode.BAD_REQUEST);

            engine.index("e", List.of(
                    new Document("origin", "the centre", Map.of(), new float[]{0, 0, 0}), // no direction needed under euclidean
                    new Document("x", "along x", Map.of("axis", "x"), new float[]{1, 0, 0}),
                    new Document("far", "far away", Map.of(), new float[]{10, 10, 10}))).join();
            assertThat(ids(engine.search("e", byVector(new float[]{0.9f, 0.1f, 0}, 3)).join())).containsExactly("x", "origin", "far");
            SearchPage top = engine.search("e", byVector(new float[]{1, 0, 0}, 1)).join();
            assertThat(top.hits().getFirst().hit().score()).isEqualTo(1f); // 1 / (1 + 0)
            assertThat(top.ranAs()).isNull();

            // A text alone cannot be embedded here: hybrid runs lexically (and says so), dense is refused.
            SearchPage lexical = engine.search("e", new SearchRequest("centre", null, 3, SearchMode.HYBRID, Map.of())).join();
            assertThat(ids(lexical)).containsExactly("origin");
            assertThat(lexical.ranAs()).isEqualTo(SearchMode.LEXICAL);
            assertCode(() -> engine.search("e", SearchRequest.dense("centre", 3)).join(), ErrorCode.INVALID_QUERY);

            // Every bad vector is refused before anything is written.
            assertCode(() -> engine.index("e", List.of(new Document("n", "t", Map.of()))).join(), ErrorCode.INVALID_DOCUMENT);
            assertCode(() -> engine.index("e", List.of(new Document("n", "t", Map.of(), new float[]{1, Float.NaN, 0}))).join(),
                    ErrorCode.INVALID_DOCUMENT);
            assertCode(() -> engine.index("e", List.of(new Document("ok", "t", Map.of(), new float[]{1, 1, 1}),
                    new Document("n", "t", Map.of(), new float[]{1, 1}))).join(), ErrorCode.INVALID_DOCUMENT);
            assertThat(engine.getDocument("e", "ok").join()).as("a refused batch writes none of its documents").isEmpty();
            assertCode(() -> engine.search("e", byVector(new float[]{Float.POSITIVE_INFINITY, 0, 0}, 1)).join(), ErrorCode.INVALID_QUERY);
            assertCode(() -> engine.search("e", byVector(new float[]{1, 0}, 1)).join(), ErrorCode.INVALID_QUERY);

            // A field patch keeps the vector the document was given.
            assertThat(engine.patchDocuments("e", List.of(new DocumentPatch("x", Map.of("axis", "X")))).join()).isEmpty();
            SearchPage patched = engine.search("e", byVector(new float[]{1, 0, 0}, 1)).join();
            assertThat(patched.hits().getFirst().hit().id()).isEqualTo("x");
            assertThat(patched.hits().getFirst().hit().fields()).containsEntry("axis", "X");
        }
        try (Engine engine = open()) {
            assertThat(engine.describeCollection("e").join().info().schema().hasModel()).isFalse();
            assertThat(ids(engine.search("e", byVector(new float[]{0.9f, 0.1f, 0}, 3)).join())).containsExactly("x", "origin", "far");
            assertThat(engine.warmUp().handle((v, e) -> e).join()).as("warming up loads no model for it").isNotNull()
                    .hasMessageContaining("e5"); // only the (absent) default model was tried
        }
    }

    @Test
    void cosineRefusesZeroVectors() {
        try (Engine engine = open()) {
            engine.createCollectionWithoutModel("c", 2, Similarity.COSINE, CollectionOptions.defaults()).join();
            assertCode(() -> engine.index("c", List.of(new Document("z", "", Map.of(), new float[]{0, 0}))).join(), ErrorCode.INVALID_DOCUMENT);
            engine.index("c", List.of(new Document("a", "", Map.of(), new float[]{3, 4}))).join();
            assertThat(engine.search("c", byVector(new float[]{6, 8}, 1)).join().hits().getFirst().hit().score()).isEqualTo(1f);
            assertCode(() -> engine.search("c", byVector(new float[]{0, 0}, 1)).join(), ErrorCode.INVALID_QUERY);
        }
    }

    private static List<String> ids(SearchPage page) {
        return page.hits().stream().map(h -> h.hit().id()).toList();
    }

    private static void assertCode(Runnable call, ErrorCode code) {
        assertThatThrownBy(call::run).isInstanceOf(CompletionException.class)
                .satisfies(e -> assertThat(PoiskException.from(e).code()).as(String.valueOf(e.getCause())).isEqualTo(code));
    }
}
