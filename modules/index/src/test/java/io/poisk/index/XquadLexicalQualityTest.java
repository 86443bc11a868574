package io.poisk.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.Hit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lexical (BM25, Russian stemming) retrieval quality on XQuAD-ru: the 240 paragraphs are the
 * documents (with random vectors: only the lexical side is measured), the 1190 questions the
 * queries, and a question's own paragraph its one relevant document. nDCG@10 must reach 0.95, in
 * the live segment and after a flush to disk, for a {@code ru} and an {@code auto} collection.
 */
class XquadLexicalQualityTest {
    private static final Logger log = LoggerFactory.getLogger(XquadLexicalQualityTest.class);
    private static final int DIM = 8;

    @TempDir
    Path tmp;

    record Question(String text, String paragraphId) {
    }

    @Test
    void lexicalNdcgAt10ReachesPoint95OnXquadRu() throws Exception {
        Path file = Path.of(System.getProperty("poisk.data.dir", "data"), "xquad-ru/xquad.ru.json");
        String json = Files.readString(file, StandardCharsets.UTF_8);
        if (json.startsWith("\ufeff")) json = json.substring(1);
        JsonNode root = new ObjectMapper().readTree(json);
        List<EmbeddedDocument> docs = new ArrayList<>();
        List<Question> questions = new ArrayList<>();
        Random r = new Random(7);
        for (JsonNode article : root.get("data")) {
            for (JsonNode p : article.get("paragraphs")) {
                String id = "p" + docs.size();
                String context = p.get("context").asText().replace("\ufeff", "");
                docs.add(new EmbeddedDocument(new Document(id, context, Map.of()), TestVectors.unit(r, DIM)));
                for (JsonNode qa : p.get("qas")) questions.add(new Question(qa.get("question").asText().replace("\ufeff", ""), id));
            }
        }
        assertThat(docs).hasSize(240);
        assertThat(questions).hasSize(1190);

        for (CollectionOptions.Language language : List.of(CollectionOptions.Language.RU, CollectionOptions.Language.AUTO)) {
            CollectionSchema schema = new CollectionSchema("xquad-" + language.wireName(), "random", DIM, "cosine");
            try (CollectionIndex c = CollectionIndex.create(tmp.resolve(schema.name()), schema,
                    new CollectionOptions(language, Map.of()), IndexOptions.defaults())) {
                c.upsert(docs);
                double live = ndcgAt10(c, questions);
                c.flush();
                assertThat(c.segmentCount()).isEqualTo(1);
                double flushed = ndcgAt10(c, questions);
                log.info("XQuAD-ru lexical nDCG@10, language {}: live {}, flushed {}", language.wireName(),
                        String.format("%.4f", live), String.format("%.4f", flushed));
                assertThat(live).isGreaterThanOrEqualTo(0.95);
                assertThat(flushed).isGreaterThanOrEqualTo(0.95);
            }
        }
    }

    private static double ndcgAt10(CollectionIndex c, List<Question> questions) {
        double sum = 0;
        for (Question q : questions) {
            List<Hit> hits = c.search(SearchQuery.lexical(q.text(), 10, null)).hits();
            for (int i = 0; i < hits.size(); i++) {
                if (hits.get(i).id().equals(q.paragraphId())) {
                    sum += 1 / (Math.log(i + 2) / Math.log(2)); // one relevant document: ideal DCG is 1
                    break;
                }
            }
        }
        return sum / questions.size();
    }
}
