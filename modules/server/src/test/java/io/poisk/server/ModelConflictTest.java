package io.poisk.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Re-creating a collection with another model is a conflict; with the same model it is a no-op. */
@Tag("model")
class ModelConflictTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path modelsDir;

    @Test
    void differentModelIs409() throws IOException {
        // Two cards over the same weights: the default one and a copy under another id.
        Path real = TestServers.modelsDir().resolve("e5-small-v2").toAbsolutePath();
        Files.createSymbolicLink(modelsDir.resolve("e5-small-v2"), real);
        Path alt = Files.createDirectory(modelsDir.resolve("e5-alt"));
        try (var files = Files.list(real)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("card.json")) Files.createSymbolicLink(alt.resolve(f.getFileName()), f);
            }
        }
        Files.writeString(alt.resolve("card.json"), Files.readString(real.resolve("card.json"))
                .replace("\"e5-small-v2\"", "\"e5-alt\""));

        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of("models_dir", modelsDir.toString())))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/pick", "{\"model\":\"e5-alt\"}").status()).isEqualTo(201);
            var same = api.put("/collections/pick", "{\"model\":\"e5-alt\"}");
            assertThat(same.status()).isEqualTo(200);
            assertThat(same.body().path("model").asText()).isEqualTo("e5-alt");
            assertThat(same.body().path("dimension").asInt()).isEqualTo(384);

            var conflict = api.put("/collections/pick", null);
            assertThat(conflict.status()).isEqualTo(409);
            assertThat(conflict.errorCode()).isEqualTo("collection_exists");
            assertThat(conflict.errorMessage()).contains("e5-alt").contains("e5-small-v2");
            assertThat(api.get("/collections/pick").body().path("model").asText()).isEqualTo("e5-alt");
        }
    }
}
