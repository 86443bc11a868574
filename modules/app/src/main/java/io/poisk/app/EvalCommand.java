package io.poisk.app;

import io.poisk.core.PoiskConfig;
import io.poisk.core.SearchMode;
import io.poisk.eval.DatasetFormat;
import io.poisk.eval.EvalReport;
import io.poisk.eval.Evaluation;
import io.poisk.eval.EvaluationSettings;
import io.poisk.eval.RetrievalDataset;
import io.poisk.engine.Engine;
import io.poisk.engine.PoiskEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code poisk eval}: loads a dataset, indexes it into an in-process engine (on a temporary data
 * directory unless {@code --data-dir} is given), runs its queries and prints the metrics.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Score retrieval quality on a BEIR, SQuAD/XQuAD or FollowIR dataset.")
final class EvalCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(EvalCommand.class);

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "dataset: a folder (beir, followir) or a JSON file (squad)")
    Path data;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "beir, squad or followir")
    String format;

    @Option(names = "--split", defaultValue = "test", description = "qrels split for beir/followir (default: ${DEFAULT-VALUE})")
    String split;

    /** No default here: left out, the engine's default mode applies (SearchDefaults.MODE, as for every front end). */
    @Option(names = "--mode", description = "dense, lexical or hybrid (default: the engine's, hybrid with its default fusion)")
    String mode;

    @Option(names = "--k", defaultValue = "10", description = "hits per query and metric cut-off (default: ${DEFAULT-VALUE})")
    int k;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON here")
    Path json;

    @Option(names = "--collection", defaultValue = "eval", description = "collection to index into (default: ${DEFAULT-VALUE})")
    String collection;

    @Option(names = "--model", paramLabel = "ID", description = "model card for the collection (default: the engine's default model)")
    String model;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "engine data directory (default: a temporary one, deleted afterwards)")
    Path dataDir;

    @Option(names = "--concurrency", defaultValue = "8", description = "requests in flight (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--passages", paramLabel = "on|off", description = "long documents as passages (on, the default of new"
            + " collections) or cut at the model's window (off)")
    String passages;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Override
    public Integer call() throws IOException {
        DatasetFormat datasetFormat = DatasetFormat.parse(format);
        SearchMode searchMode = mode == null ? null : SearchMode.parse(mode);
        RetrievalDataset dataset = datasetFormat.load(data, split);
        LOG.info("loaded {}: {} documents, {} queries", dataset.name(), dataset.corpus().size(), dataset.queries().size());

        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("poisk-eval-");
        EvalReport report;
        try {
            PoiskConfig cfg = config.load(Map.of("data_dir", dir.toString()));
            EvaluationSettings settings = new EvaluationSettings(collection, searchMode, k, true, model, 64, concurrency,
                    passageOptions(passages));
            try (Engine engine = PoiskEngine.open(cfg)) {
                report = new Evaluation(engine, settings).run(dataset);
            }
        } finally {
            if (dataDir == null) deleteRecursively(dir);
        }
        PrintWriter out = new PrintWriter(System.out, true);
        out.print(report.toTable());
        out.flush();
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(json, report.toJson());
        }
        return 0;
    }

    private static io.poisk.index.PassageOptions passageOptions(String value) {
        if (value == null) return null;
        return switch (value) {
            case "on" -> io.poisk.index.PassageOptions.DEFAULT;
            case "off" -> io.poisk.index.PassageOptions.OFF;
            default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new EvalCommand()),
                    "--passages takes on or off, got '" + value + "'");
        };
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
