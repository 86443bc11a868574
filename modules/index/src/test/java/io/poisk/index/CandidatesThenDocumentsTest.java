package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.SearchMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Candidates (ids and scores, no document read) then the documents of the kept ones give the same hits as
 * a search that loads every candidate's document, in every mode, filtered or not, before and after a flush.
 */
class CandidatesThenDocumentsTest {
    private static final int DIM = 16;

    @TempDir
    Path tmp;

    @Test
    void candidatesThenDocumentsEqualsSearch() throws Exception {
        Random r = new Random(7);
        CollectionSchema schema = new CollectionSchema("c", "random", DIM, "cosine");
        CollectionOptions options = new CollectionOptions(CollectionOptions.Language.AUTO, Map.of("color", FieldType.KEYWORD));
        List<EmbeddedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            docs.add(new EmbeddedDocument(new Document("d" + i, "текст номер " + i + (i % 3 == 0 ? " про кита" : " про погоду"),
                    Map.of("color", i % 2 == 0 ? "red" : "blue")), TestVectors.unit(r, DIM)));
        }
        float[] q = TestVectors.unit(r, DIM);
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("c"), schema, options, IndexOptions.defaults())) {
            c.upsert(docs.subList(0, 30));
            c.flush();
            c.upsert(docs.subList(30, 60));
            assertThat(c.delete("d3")).isTrue();
            Filter red = c.parseFilter(Map.of("color", "red"));
            for (Filter f : new Filter[]{null, red}) {
                for (SearchQuery query : List.of(SearchQuery.dense(q, 10, f), SearchQuery.lexical("кита", 10, f),
                        SearchQuery.hybrid(q, "кита", 10, f, null), SearchQuery.hybrid(q, "кита погоду", 10, f, new Fusion.Weighted(0.2, 0.8)))) {
                    List<ScoredCandidate> candidates = c.candidates(query);
                    assertThat(candidates).hasSizeLessThanOrEqualTo(10);
                    assertThat(c.documents(candidates)).as(query.mode() + " filter " + f).isEqualTo(c.search(query).hits());
                    if (query.mode() != SearchMode.DENSE) assertThat(candidates).isNotEmpty();
                }
            }
        }
    }
}
