package io.poisk.engine;

import io.poisk.core.Document;
import io.poisk.core.PoiskConfig;
import io.poisk.core.SearchMode;
import io.poisk.index.CollectionOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Plain and live search run one pipeline: for the same request they return the same hits, in the same
 * order, with the same scores, in every mode, with and without a filter. Real default model.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class PlainAndLiveSearchParityTest {
    @TempDir
    static Path dataDir;
    Engine engine;

    @BeforeAll
    void open() {
        Path models = Path.of(System.getProperty("poisk.models.dir", "../../index-data/models"));
        String model = PoiskConfig.defaults().string("default_model");
        assumeThat(Files.isDirectory(models.resolve(model))).as("the default model must be provisioned at %s", models).isTrue();
        engine = PoiskEngine.open(PoiskConfig.defaults().with(Map.of("data_dir", dataDir.toString(),
                "models_dir", models.toString(), "index.workers", "2")));
        CollectionOptions options = CollectionOptions.fromMap(Map.of("fields", Map.of("year", "long", "tag", "keyword")));
        assertThat(engine.createCollection("parity", null, options).join()).isTrue();
        engine.index("parity", List.of(
                new Document("lisbon", "Lisbon trams climb the steep hills of the Alfama district.", Map.of("year", 2019, "tag", "travel")),
                new Document("tokyo", "Tokyo's subway carries millions of commuters every day.", Map.of("year", 2021, "tag", "travel")),
                new Document("bread", "Sourdough bread rises slowly with wild yeast.", Map.of("year", 2020, "tag", "food")),
                new Document("curry", "A Thai green curry uses coconut milk and basil.", Map.of("year", 2022, "tag", "food")),
                new Document("quokka", "The quokka is a small marsupial found on Rottnest Island.", Map.of()))).join();
    }

    @AfterAll
    void close() {
        if (engine != null) engine.close();
    }

    static Stream<Arguments> requests() {
        Map<String, Object> travel = Map.of("tag", "travel");
        return Stream.of(
                Arguments.of(SearchMode.DENSE, Map.of()),
                Arguments.of(SearchMode.LEXICAL, Map.of()),
                Arguments.of(SearchMode.HYBRID, Map.of()),
                Arguments.of(SearchMode.DENSE, travel),
                Arguments.of(SearchMode.LEXICAL, travel),
                Arguments.of(SearchMode.HYBRID, travel),
                Arguments.of(SearchMode.HYBRID, Map.of("range", Map.of("year", Map.of("gte", 2020)))));
    }

    @ParameterizedTest(name = "{0} filter {1}")
    @MethodSource("requests")
    void plainAndLiveSearchReturnIdenticalHits(SearchMode mode, Map<String, Object> filter) throws Exception {
        SearchRequest request = new SearchRequest("trams on the hills of a city", null, 4, mode, filter);
        SearchPage plain = engine.search("parity", request).get(60, TimeUnit.SECONDS);
        LiveQuery live = engine.searchLive("parity", request);
        SearchPage streamed = live.result().get(60, TimeUnit.SECONDS);
        assertThat(plain.hits()).as("plain search finds something").isNotEmpty();
        assertThat(streamed.hits()).as("live hits (ids, scores, texts, fields) equal plain hits").isEqualTo(plain.hits());
        assertThat(streamed.rerank()).isNull();
        assertThat(live.candidates()).as("no rerank step: no candidates page").isNotDone();
        if (!filter.isEmpty()) {
            assertThat(plain.plainHits()).allSatisfy(h -> assertThat(h.id()).isNotEqualTo("quokka"));
        }
    }
}
