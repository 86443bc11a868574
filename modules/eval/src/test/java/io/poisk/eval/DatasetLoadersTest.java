package io.poisk.eval;

import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetLoadersTest {

    @Test
    void beirReadsCorpusQueriesAndQrelsOfTheSplit(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("corpus.jsonl"), """
                {"_id": "d1", "title": "Moscow", "text": "The metro opened in 1935."}
                {"_id": "d2", "title": "", "text": "No title here."}
                """);
        Files.writeString(dir.resolve("queries.jsonl"), """
                {"_id": "q1", "text": "when did the metro open"}
                {"_id": "q2", "text": "not judged in test"}
                """);
        Files.createDirectories(dir.resolve("qrels"));
        Files.writeString(dir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t0\n");

        RetrievalDataset ds = DatasetFormat.parse("beir").load(dir, "test");
        assertThat(ds.corpus()).hasSize(2);
        assertThat(ds.corpus().get(0).text()).isEqualTo("Moscow The metro opened in 1935.");
        assertThat(ds.corpus().get(0).fields()).containsEntry("title", "Moscow");
        assertThat(ds.corpus().get(1).text()).isEqualTo("No title here.");
        assertThat(ds.queries()).extracting(EvalQuery::id).containsExactly("q1");
        assertThat(ds.qrels()).isEqualTo(Map.of("q1", Map.of("d1", 2, "d2", 0)));
        assertThat(ds.hasInstructionChanges()).isFalse();
    }

    @Test
    void squadMakesParagraphsTheCorpusAndStripsTheBom(@TempDir Path dir) throws Exception {
        String json = """
                {"version": "1", "data": [
                  {"title": "A", "paragraphs": [
                    {"context": "First paragraph.", "qas": [{"id": "x1", "question": "Q one?", "answers": []}]},
                    {"context": "Second paragraph.", "qas": [{"id": "x2", "question": "Q two?"}, {"id": "x3", "question": "Q three?"}]}]},
                  {"title": "B", "paragraphs": [
                    {"context": "Third.", "qas": []}]}]}
                """;
        Path file = dir.resolve("squad.json");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(body, 0, all, 3, body.length);
        Files.write(file, all);

        RetrievalDataset ds = DatasetFormat.SQUAD.load(file, "ignored");
        assertThat(ds.corpus()).extracting(d -> d.id()).containsExactly("0-0", "0-1", "1-0");
        assertThat(ds.corpus().get(1).text()).isEqualTo("Second paragraph.");
        assertThat(ds.queries()).extracting(EvalQuery::text).containsExactly("Q one?", "Q two?", "Q three?");
        assertThat(ds.qrels()).containsEntry("x3", Map.of("0-1", 1)).containsEntry("x1", Map.of("0-0", 1));
    }

    @Test
    void squadReadsTheSharedXquadRussianFile() {
        Path xquad = Path.of(System.getProperty("poisk.data.dir", "data"), "xquad-ru/xquad.ru.json");
        RetrievalDataset ds = SquadLoader.load(xquad);
        assertThat(ds.corpus()).hasSize(240);
        assertThat(ds.queries()).hasSize(1190);
        assertThat(ds.qrels()).hasSize(1190);
    }

    @Test
    void followIrReadsBothInstructionsAndBothQrels(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("corpus.jsonl"), "{\"_id\":\"d1\",\"title\":\"t\",\"text\":\"x\"}\n{\"_id\":\"d2\",\"title\":\"t\",\"text\":\"y\"}\n");
        Files.writeString(dir.resolve("queries.jsonl"),
                "{\"_id\":\"q1\",\"text\":\"dams\",\"instruction_og\":\"cost matters\",\"instruction_changed\":\"cost only if over 1B\"}\n");
        Files.createDirectories(dir.resolve("qrels_og"));
        Files.createDirectories(dir.resolve("qrels_changed"));
        Files.writeString(dir.resolve("qrels_og/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t1\n");
        Files.writeString(dir.resolve("qrels_changed/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\n");

        RetrievalDataset ds = DatasetFormat.FOLLOWIR.load(dir, "test");
        assertThat(ds.hasInstructionChanges()).isTrue();
        assertThat(ds.queries()).containsExactly(new EvalQuery("q1", "dams", "cost matters", "cost only if over 1B"));
        assertThat(PairwiseMrr.changedDocuments(ds.qrels(), ds.changedQrels())).isEqualTo(Map.of("q1", java.util.List.of("d2")));
    }

    @Test
    void badInputSaysWhatIsExpected(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> DatasetFormat.parse("trec")).isInstanceOf(PoiskException.class).hasMessageContaining("beir, squad, followir");
        assertThatThrownBy(() -> BeirLoader.load(dir, "test")).hasMessageContaining("corpus.jsonl");
        Files.writeString(dir.resolve("corpus.jsonl"), "{\"_id\":\"d1\"}\n");
        assertThatThrownBy(() -> BeirLoader.readCorpus(dir.resolve("corpus.jsonl"))).hasMessageContaining("lacks 'text'");
        Files.writeString(dir.resolve("q.tsv"), "q1\td1\thigh\n");
        assertThatThrownBy(() -> DatasetFiles.readQrels(dir.resolve("q.tsv"))).hasMessageContaining("not a number");
    }
}
