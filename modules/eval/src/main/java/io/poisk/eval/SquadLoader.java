package io.poisk.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.Document;
import io.poisk.core.PoiskException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SQuAD-format JSON (SQuAD, XQuAD) as a retrieval set: the corpus is the paragraphs, the queries
 * are the questions, and a question's one relevant document is its own paragraph. Document ids are
 * {@code <article index>-<paragraph index>} (stable for a given file); query ids are the question
 * ids. A UTF-8 byte-order mark is ignored.
 */
public final class SquadLoader {
    private SquadLoader() {
    }

    public static RetrievalDataset load(Path file) {
        JsonNode data = DatasetFiles.readJson(file).get("data");
        if (data == null || !data.isArray()) throw PoiskException.badRequest(file + ": expected a SQuAD object with a 'data' array");
        List<Document> corpus = new ArrayList<>();
        List<EvalQuery> queries = new ArrayList<>();
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        for (int a = 0; a < data.size(); a++) {
            JsonNode article = data.get(a);
            String title = DatasetFiles.optionalText(article, "title");
            JsonNode paragraphs = article.path("paragraphs");
            for (int p = 0; p < paragraphs.size(); p++) {
                JsonNode paragraph = paragraphs.get(p);
                String docId = a + "-" + p;
                corpus.add(new Document(docId, DatasetFiles.requiredText(paragraph, "context", file),
                        title == null ? Map.of() : Map.of("title", title)));
                for (JsonNode qa : paragraph.path("qas")) {
                    String qid = DatasetFiles.requiredText(qa, "id", file);
                    if (qrels.containsKey(qid)) throw PoiskException.badRequest(file + ": question id '" + qid + "' occurs twice");
                    queries.add(EvalQuery.plain(qid, DatasetFiles.requiredText(qa, "question", file)));
                    qrels.put(qid, Map.of(docId, 1));
                }
            }
        }
        return new RetrievalDataset(String.valueOf(file.getFileName()), corpus, queries, qrels, Map.of());
    }
}
