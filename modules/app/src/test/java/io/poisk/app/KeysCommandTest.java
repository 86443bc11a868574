package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.PoiskConfig;
import io.poisk.server.PoiskServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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

/** {@code poisk keys create|list|revoke} against a real server, with the admin key from a config file. */
class KeysCommandTest {
    static final String ADMIN = "pk_cli-admin-0123456789abcdefghijk";
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void createListRevokeThroughTheServer() throws Exception {
        PoiskConfig cfg = PoiskConfig.defaults().with(Map.of("port", "0", "host", "127.0.0.1",
                "data_dir", dir.resolve("data").toString(), "auth.admin_key", ADMIN));
        Path config = dir.resolve("poisk.json");
        Files.writeString(config, "{\"auth\": {\"admin_key\": \"" + ADMIN + "\"}}");
        try (PoiskServer server = PoiskServer.start(cfg)) {
            String url = "http://127.0.0.1:" + server.port();
            Run created = run("keys", "create", "--url", url, "--config", config.toString(), "--scope", "search",
                    "--collection", "docs,faq", "--origin", "https://app.example", "--rate-limit", "5");
            assertThat(created.exit()).as(created.err()).isZero();
            JsonNode key = new ObjectMapper().readTree(created.out());
            assertThat(key.path("key").asText()).startsWith("pk_");
            assertThat(key.path("collections").toString()).isEqualTo("[\"docs\",\"faq\"]");
            String id = key.path("id").asText();

            Run listed = run("keys", "list", "--url", url, "--config", config.toString());
            assertThat(listed.exit()).isZero();
            assertThat(listed.out()).contains(id).contains("search").doesNotContain(key.path("key").asText());

            assertThat(status(server.port(), key.path("key").asText())).isEqualTo(200);
            Run revoked = run("keys", "revoke", "--url", url, "--config", config.toString(), id);
            assertThat(revoked.exit()).as(revoked.err()).isZero();
            assertThat(status(server.port(), key.path("key").asText())).isEqualTo(401);

            Run again = run("keys", "revoke", "--url", url, "--config", config.toString(), id);
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("404").contains("key_not_found");
            Run noAdmin = run("keys", "list", "--url", url);
            assertThat(noAdmin.exit()).isEqualTo(1);
            assertThat(noAdmin.err()).contains("401").contains("POISK_AUTH_ADMIN_KEY");
        }
    }

    @Test
    void serveRefusesAnOpenInterfaceWithoutAKey() throws Exception {
        Path config = dir.resolve("open.json");
        Files.writeString(config, "{\"host\": \"0.0.0.0\", \"port\": 0}");
        Run refused = run("serve", "--data", dir.resolve("data").toString(), "--config", config.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("refusing to serve on 0.0.0.0").contains("--insecure");
        assertThat(Main.commandLine().getSubcommands().get("serve").getCommandSpec().findOption("--insecure")).isNotNull();
    }

    static int status(int port, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/collections"))
                .header("Authorization", "Bearer " + key).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
