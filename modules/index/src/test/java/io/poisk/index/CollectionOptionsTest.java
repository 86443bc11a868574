package io.poisk.index;

import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** options.json: the default reranker round-trips, and files written before it existed still read. */
class CollectionOptionsTest {
    @TempDir
    Path dir;

    @Test
    void defaultRerankerIsWrittenAndReadBack() throws Exception {
        CollectionOptions options = CollectionOptions.fromMap(Map.of("language", "ru",
                "rerank", Map.of("model", "some-reranker", "top_n", 30)));
        assertThat(options.rerank()).isEqualTo(new CollectionOptions.DefaultRerank("some-reranker", 30));
        options.write(dir);
        // Written files say the passage settings in force: those of a new collection here.
        assertThat(CollectionOptions.read(dir)).isEqualTo(options.withPassagesIfUnsaid(PassageOptions.DEFAULT));

        CollectionOptions withoutTopN = CollectionOptions.fromMap(Map.of("rerank", Map.of("model", "some-reranker")));
        withoutTopN.write(dir);
        assertThat(CollectionOptions.read(dir).rerank()).isEqualTo(new CollectionOptions.DefaultRerank("some-reranker", null));
        assertThat(withoutTopN.toMap().get("rerank")).isEqualTo(Map.of("model", "some-reranker"));
    }

    @Test
    void aFileWithoutRerankHasNone() throws Exception {
        Files.writeString(dir.resolve(CollectionOptions.FILE), "{\"language\":\"en\",\"fields\":{\"year\":\"long\"}}");
        CollectionOptions read = CollectionOptions.read(dir);
        assertThat(read.rerank()).isNull();
        assertThat(read.language()).isEqualTo(CollectionOptions.Language.EN);
        assertThat(read.fields()).containsEntry("year", FieldType.LONG);
        assertThat(CollectionOptions.defaults().toMap()).containsEntry("rerank", null);
    }

    @Test
    void badShapesAreRejectedWithWhatIsAccepted() {
        assertThatThrownBy(() -> CollectionOptions.fromMap(Map.of("rerank", "some-reranker")))
                .isInstanceOf(PoiskException.class).hasMessageContaining("'rerank' must be an object");
        assertThatThrownBy(() -> CollectionOptions.fromMap(Map.of("rerank", Map.of("top_n", 5))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("'rerank.model'");
        assertThatThrownBy(() -> CollectionOptions.fromMap(Map.of("rerank", Map.of("model", "r", "top_n", 0))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("between 1 and 1000");
        assertThatThrownBy(() -> CollectionOptions.fromMap(Map.of("rerank", Map.of("model", "r", "top_n", "ten"))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("'rerank.top_n'");
        assertThatThrownBy(() -> CollectionOptions.fromMap(Map.of("rerank", Map.of("model", "r", "budget", 1))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("unknown property 'rerank.budget'");
    }

    @Test
    void passagesAreOnForNewCollectionsAndOffForFilesThatPredateThem() throws Exception {
        // A format-2 file (and no file at all) is a collection whose segments hold one vector per document.
        Files.writeString(dir.resolve(CollectionOptions.FILE), "{\"format\":2,\"language\":\"en\",\"fields\":{}}");
        assertThat(CollectionOptions.read(dir).passages()).isEqualTo(PassageOptions.OFF);
        assertThat(CollectionOptions.read(dir.resolve("missing")).passages()).isEqualTo(PassageOptions.OFF);

        CollectionOptions fresh = CollectionOptions.fromMap(Map.of());
        assertThat(fresh.effectivePassages()).isEqualTo(PassageOptions.DEFAULT);
        fresh.write(dir);
        assertThat(Files.readString(dir.resolve(CollectionOptions.FILE))).contains("\"format\" : 3");
        assertThat(CollectionOptions.read(dir).passages()).isEqualTo(PassageOptions.DEFAULT);

        CollectionOptions custom = CollectionOptions.fromMap(Map.of("passages", Map.of("max_tokens", 200, "overlap_tokens", 32)));
        custom.write(dir);
        assertThat(CollectionOptions.read(dir).passages()).isEqualTo(new PassageOptions(true, 200, 32));
        CollectionOptions off = CollectionOptions.fromMap(Map.of("passages", Map.of("enabled", false)));
        off.write(dir);
        assertThat(CollectionOptions.read(dir).passages().enabled()).isFalse();
    }

    @Test
    void badPassageSettingsAreRejectedWithWhatIsAccepted() {
        assertThatThrownBy(() -> CollectionOptions.fromMap(Map.of("passages", 5)))
                .isInstanceOf(PoiskException.class).hasMessageContaining("'passages' must be an object");
        assertThatThrownBy(() -> CollectionOptions.fromMap(Map.of("passages", Map.of("max_tokens", 8))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("between 16 and 8192");
        assertThatThrownBy(() -> CollectionOptions.fromMap(Map.of("passages", Map.of("max_tokens", 100, "overlap_tokens", 60))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("half of max_tokens");
        assertThatThrownBy(() -> CollectionOptions.fromMap(Map.of("passages", Map.of("size", 100))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("accepted: enabled, max_tokens, overlap_tokens");
        assertThatThrownBy(() -> CollectionOptions.fromMap(Map.of("passages", Map.of("enabled", "yes"))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("true or false");
    }
}
