package io.poisk.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.Document;
import io.poisk.core.PoiskException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * FollowIR sets (Core17/Robust04/News21 InstructionRetrieval) in the folder layout MTEB's
 * {@code HFDataLoaderInstructions} reads from disk:
 * <pre>
 * corpus.jsonl               {"_id", "title", "text"}
 * queries.jsonl              {"_id", "text", "instruction_og", "instruction_changed"}
 * qrels_og/&lt;split&gt;.tsv       query-id  corpus-id  score   (judgments under the original instruction)
 * qrels_changed/&lt;split&gt;.tsv  query-id  corpus-id  score   (judgments under the changed instruction)
 * </pre>
 * A {@code top_ranked} file, if shipped, is not used: Poisk retrieves from the whole corpus.
 * Only queries judged under the original instruction are kept.
 */
public final class FollowIrLoader {
    private FollowIrLoader() {
    }

    public static RetrievalDataset load(Path dir, String split) {
        List<Document> corpus = BeirLoader.readCorpus(dir.resolve("corpus.jsonl"));
        Map<String, Map<String, Integer>> og = DatasetFiles.readQrels(dir.resolve("qrels_og").resolve(split + ".tsv"));
        Map<String, Map<String, Integer>> changed = DatasetFiles.readQrels(dir.resolve("qrels_changed").resolve(split + ".tsv"));
        Path queryFile = dir.resolve("queries.jsonl");
        List<EvalQuery> queries = new ArrayList<>();
        for (JsonNode row : DatasetFiles.readJsonLines(queryFile)) {
            String id = DatasetFiles.requiredText(row, "_id", queryFile);
            if (!og.containsKey(id)) continue;
            queries.add(new EvalQuery(id, DatasetFiles.requiredText(row, "text", queryFile),
                    DatasetFiles.requiredText(row, "instruction_og", queryFile),
                    DatasetFiles.requiredText(row, "instruction_changed", queryFile)));
        }
        if (changed.isEmpty()) throw PoiskException.badRequest(dir + ": qrels_changed/" + split + ".tsv holds no judgments");
        return new RetrievalDataset(dir.getFileName() + "/" + split, corpus, queries, og, changed);
    }
}
