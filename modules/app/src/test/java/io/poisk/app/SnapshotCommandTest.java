package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code poisk snapshot --out}, {@code poisk restore} and {@code poisk backup --out} against a real server. */
@Tag("model")
class SnapshotCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void snapshotDownloadsAnArchiveThatRestoresIntoANewCollection(@TempDir Path data, @TempDir Path out) throws Exception {
        PoiskConfig config = PoiskConfig.defaults().with(Map.of("port", "0", "host", "127.0.0.1", "data_dir", data.toString(),
                "models_dir", System.getProperty("poisk.models.dir", "../../index-data/models"), "index.workers", "2"));
        try (PoiskServer server = PoiskServer.start(config)) {
            String url = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newHttpClient();
            send(http, HttpRequest.newBuilder(URI.create(url + "/collections/news")).PUT(HttpRequest.BodyPublishers.noBody()).build());
            send(http, HttpRequest.newBuilder(URI.create(url + "/collections/news/documents")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"documents\":[{\"id\":\"1\",\"text\":\"The Moscow metro opened in 1935.\"},"
                            + "{\"id\":\"2\",\"text\":\"Saint Petersburg was founded in 1703.\"}]}")).build());

            Path archive = out.resolve("news.tar");
            assertThat(Main.commandLine().execute("snapshot", "news", "--server", url, "--out", archive.toString())).isZero();
            assertThat(archive).isNotEmptyFile();
            assertThat(Main.commandLine().execute("restore", "news-copy", archive.toString(), "--server", url)).isZero();
            JsonNode copy = JSON.readTree(send(http, HttpRequest.newBuilder(URI.create(url + "/collections/news-copy")).GET().build()));
            assertThat(copy.path("documents").asLong()).isEqualTo(2);

            // Restoring onto an existing collection fails with the server's message and a non-zero status.
            StringWriter err = new StringWriter();
            var cmd = Main.commandLine();
            cmd.setErr(new PrintWriter(err));
            assertThat(cmd.execute("restore", "news", archive.toString(), "--server", url)).isEqualTo(1);
            assertThat(err.toString()).contains("409").contains("already exists");

            Path backup = out.resolve("backup");
            assertThat(Main.commandLine().execute("backup", "--server", url, "--out", backup.toString())).isZero();
            try (var files = Files.list(backup)) {
                assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                        .hasSize(2).anySatisfy(n -> assertThat(n).startsWith("news-2")).anySatisfy(n -> assertThat(n).startsWith("news-copy-"));
            }
        }
    }

    private static String send(HttpClient http, HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
        return r.body();
    }
}
