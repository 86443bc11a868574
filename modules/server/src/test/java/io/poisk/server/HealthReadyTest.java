package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * /health/ready says 503 with its reasons while the default model is not loaded (here it never can be: the
 * configured default does not exist) and when the data directory cannot take a file; /health/live and /health
 * still answer 200. No model is loaded, so this runs in the fast tier.
 */
class HealthReadyTest {
    @TempDir
    Path dir;

    @Test
    void notReadyNamesItsReasons() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        try (PoiskServer server = PoiskServer.start(TestServers.config(data, Map.of("default_model", "no-such-model")))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.get("/health/live").status()).isEqualTo(200);
            assertThat(api.get("/health").status()).isEqualTo(200);

            ApiClient.Reply ready = api.get("/health/ready");
            assertThat(ready.status()).as(ready.raw()).isEqualTo(503);
            assertThat(ready.body().path("status").asText()).isEqualTo("DOWN");
            JsonNode data1 = ready.body().path("checks").get(0).path("data");
            assertThat(data1.path("default_model_loaded").asBoolean()).isFalse();
            assertThat(data1.path("data_dir_writable").asBoolean()).isTrue();
            assertThat(data1.path("reasons").toString()).contains("default model 'no-such-model' is not loaded yet");

            // the data directory goes away under the server: no file can be written there any more
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            assertThat(data).doesNotExist();
            JsonNode data2 = api.get("/health/ready").body().path("checks").get(0).path("data");
            assertThat(data2.path("data_dir_writable").asBoolean()).isFalse();
            assertThat(data2.path("reasons").toString()).contains("is not writable");
        }
    }
}
