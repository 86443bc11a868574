package io.poisk.app;

import io.poisk.core.Document;
import io.poisk.core.PoiskConfig;
import io.poisk.server.PoiskServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code poisk export} against a running server: the file is the server's NDJSON export; errors are one line. */
@Tag("model")
class ExportCommandTest {
    @Test
    void exportWritesTheCollectionsNdjsonToAFile(@TempDir Path tmp) throws Exception {
        PoiskConfig config = PoiskConfig.defaults().with(Map.of("port", "0", "host", "127.0.0.1", "data_dir", tmp.resolve("data").toString(),
                "models_dir", System.getProperty("poisk.models.dir", "../../index-data/models"), "index.workers", "2"));
        try (PoiskServer server = PoiskServer.start(config)) {
            server.engine().createCollection("notes", null).join();
            List<Document> docs = new ArrayList<>();
            for (int i = 0; i < 120; i++) docs.add(new Document("n" + i, "note " + i + " \"quoted\"", Map.of("i", i, "tag", "t" + i % 3)));
            server.engine().index("notes", docs).join();
            server.engine().putAlias("latest", "notes").join();
            String url = "http://127.0.0.1:" + server.port();

            Path out = tmp.resolve("out/notes.ndjson");
            int exit = Main.commandLine().execute("export", "latest", "--url", url, "--out", out.toString());
            assertThat(exit).isZero();
            String expected = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/collections/notes/export")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(Files.readString(out)).isEqualTo(expected);
            assertThat(Files.readAllLines(out)).hasSize(120);
            assertThat(tmp.resolve("out/notes.ndjson.partial")).doesNotExist();

            StringWriter err = new StringWriter();
            var cli = Main.commandLine();
            cli.setErr(new PrintWriter(err, true));
            int missing = cli.execute("export", "nothing", "--url", url, "--out", tmp.resolve("none.ndjson").toString());
            assertThat(missing).isEqualTo(1);
            assertThat(err.toString()).contains("poisk export: collection 'nothing' does not exist");
            assertThat(tmp.resolve("none.ndjson")).doesNotExist();
        }
    }
}
