package io.poisk.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.Document;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * BEIR layout: {@code corpus.jsonl} ({@code _id}, {@code title}, {@code text}), {@code queries.jsonl}
 * ({@code _id}, {@code text}) and {@code qrels/<split>.tsv} ({@code query-id corpus-id score}).
 * A document's indexed text is {@code title + " " + text} as BEIR's dense models encode it; the title
 * is kept in the field {@code title}. Only queries judged in the split are kept.
 */
public final class BeirLoader {
    private BeirLoader() {
    }

    public static RetrievalDataset load(Path dir, String split) {
        List<Document> corpus = readCorpus(dir.resolve("corpus.jsonl"));
        Map<String, Map<String, Integer>> qrels = DatasetFiles.readQrels(dir.resolve("qrels").resolve(split + ".tsv"));
        List<EvalQuery> queries = new ArrayList<>();
        Path queryFile = dir.resolve("queries.jsonl");
        for (JsonNode row : DatasetFiles.readJsonLines(queryFile)) {
            String id = DatasetFiles.requiredText(row, "_id", queryFile);
            if (qrels.containsKey(id)) queries.add(EvalQuery.plain(id, DatasetFiles.requiredText(row, "text", queryFile)));
        }
        return new RetrievalDataset(dir.getFileName() + "/" + split, corpus, queries, qrels, Map.of());
    }

    static List<Document> readCorpus(Path file) {
        List<Document> docs = new ArrayList<>();
        for (JsonNode row : DatasetFiles.readJsonLines(file)) {
            String id = DatasetFiles.requiredText(row, "_id", file);
            String text = DatasetFiles.requiredText(row, "text", file);
            String title = DatasetFiles.optionalText(row, "title");
            if (title == null || title.isBlank()) {
                docs.add(new Document(id, text, Map.of()));
            } else {
                docs.add(new Document(id, title + " " + text, Map.of("title", title)));
            }
        }
        return docs;
    }
}
