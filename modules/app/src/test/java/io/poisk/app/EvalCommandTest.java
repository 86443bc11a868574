package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@Tag("model")
class EvalCommandTest {

    @Test
    void evalOnXquadReproducesTheReferenceQualityInTheDefaultHybridMode(@TempDir Path tmp) throws Exception {
        Path report = tmp.resolve("out/report.json");
        // No --mode: hybrid with the default fusion, the figures the end-to-end test gets over HTTP.
        int exit = Main.commandLine().execute("eval", "--data", ServerEndToEndTest.xquadFile().toString(),
                "--format", "squad", "--k", "10", "--collection", "xquad",
                "--data-dir", tmp.resolve("data").toString(),
                "--models", System.getProperty("poisk.models.dir"), "--json", report.toString());
        assertThat(exit).isZero();
        JsonNode json = new ObjectMapper().readTree(Files.readString(report));
        assertThat(json.get("queries").asInt()).isEqualTo(1190);
        assertThat(json.get("documents").asInt()).isEqualTo(240);
        assertThat(json.get("mode").asText()).isEqualTo("hybrid");
        assertThat(json.get("ndcg@10").asDouble()).isCloseTo(ServerEndToEndTest.REFERENCE_HYBRID_NDCG_10, within(0.005));
        assertThat(json.get("recall@10").asDouble()).isCloseTo(ServerEndToEndTest.REFERENCE_HYBRID_RECALL_10, within(0.005));
        assertThat(json.get("mrr@10").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("map").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("ingest_docs_per_s").asDouble()).isPositive();
        assertThat(json.get("search_latency_p99_ms").asDouble()).isGreaterThanOrEqualTo(json.get("search_latency_p50_ms").asDouble());
    }

    @Test
    void followIrRunsBothInstructionsAndReportsPairwiseMrr(@TempDir Path tmp) throws Exception {
        Path set = tmp.resolve("tiny-followir");
        Files.createDirectories(set.resolve("qrels_og"));
        Files.createDirectories(set.resolve("qrels_changed"));
        Files.writeString(set.resolve("corpus.jsonl"), String.join("\n",
                "{\"_id\":\"d1\",\"title\":\"Three Gorges Dam\",\"text\":\"The dam cost about 31 billion dollars and was completed in 2012.\"}",
                "{\"_id\":\"d2\",\"title\":\"Three Gorges Dam\",\"text\":\"Over a million people were relocated; the ecological impact on the Yangtze is debated.\"}",
                "{\"_id\":\"d3\",\"title\":\"Hoover Dam\",\"text\":\"Hoover Dam on the Colorado River was finished in 1936.\"}",
                "{\"_id\":\"d4\",\"title\":\"Bread\",\"text\":\"Sourdough bread rises with wild yeast.\"}") + "\n");
        Files.writeString(set.resolve("queries.jsonl"),
                "{\"_id\":\"q1\",\"text\":\"Three Gorges Project status\",\"instruction_og\":\"Relevant documents give its cost, completion date or social and ecological impact.\","
                        + "\"instruction_changed\":\"Relevant documents give its cost or completion date; social or ecological impact is not relevant.\"}\n");
        Files.writeString(set.resolve("qrels_og/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t1\nq1\td3\t0\n");
        Files.writeString(set.resolve("qrels_changed/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\nq1\td3\t0\n");
        Path report = tmp.resolve("followir.json");

        int exit = Main.commandLine().execute("eval", "--data", set.toString(), "--format", "followir", "--k", "4",
                "--models", System.getProperty("poisk.models.dir"), "--json", report.toString());
        assertThat(exit).isZero();
        JsonNode json = new ObjectMapper().readTree(Files.readString(report));
        assertThat(json.get("queries").asInt()).isEqualTo(1);
        // all 4 documents are returned, so d2 has a rank in both runs and p-MRR is a number in [-100, 100]
        assertThat(json.get("p-mrr").isNumber()).as(json.toString()).isTrue();
        assertThat(json.get("p-mrr").asDouble()).isBetween(-100.0, 100.0);
        assertThat(json.get("ndcg@4").asDouble()).isPositive();
        assertThat(json.get("ndcg@4_changed").asDouble()).isPositive();
        assertThat(json.get("recall@4").asDouble()).isEqualTo(1.0);
    }

    @Test
    void unknownFormatIsAUsageErrorThatNamesTheAcceptedOnes(@TempDir Path tmp) {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.getSubcommands().get("eval").setErr(new PrintWriter(err, true));
        int exit = cli.execute("eval", "--data", tmp.toString(), "--format", "trec");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("beir, squad, followir");
    }
}
