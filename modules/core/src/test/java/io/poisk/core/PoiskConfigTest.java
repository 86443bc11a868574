package io.poisk.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoiskConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        PoiskConfig cfg = PoiskConfig.defaults();
        assertThat(cfg.integer("port")).isEqualTo(8080);
        assertThat(cfg.string("data_dir")).isEqualTo("index-data");
        assertThat(cfg.integer("max_document_bytes")).isEqualTo(1 << 20);
    }

    @Test
    void fileThenEnvironmentThenOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("poisk.json");
        Files.writeString(file, "{\"port\": 9000, \"embedding\": {\"max_batch\": 8}, \"data_dir\": \"/srv/poisk\"}");
        PoiskConfig cfg = PoiskConfig.load(file, Map.of("POISK_DATA_DIR", "/env/data", "POISK_EMBEDDING_MAX_WAIT_MS", "7"),
                Map.of("port", "9100"));
        assertThat(cfg.integer("embedding.max_batch")).isEqualTo(8);
        assertThat(cfg.string("data_dir")).isEqualTo("/env/data");
        assertThat(cfg.integer("embedding.max_wait_ms")).isEqualTo(7);
        assertThat(cfg.integer("port")).isEqualTo(9100);
    }

    @Test
    void unknownKeysAndBadNumbersAreRejectedWithTheKeyNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("poisk.json");
        Files.writeString(file, "{\"prot\": 9000}");
        assertThatThrownBy(() -> PoiskConfig.load(file, Map.of(), Map.of()))
                .isInstanceOf(PoiskException.class).hasMessageContaining("'prot'");
        assertThatThrownBy(() -> PoiskConfig.load(null, Map.of("POISK_PORT", "eighty"), Map.of()))
                .isInstanceOf(PoiskException.class).hasMessageContaining("'port'").hasMessageContaining("eighty");
    }

    @Test
    void aRenamedKeyNamesItsNewName(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("poisk.json");
        Files.writeString(file, "{\"index\": {\"rerank_factor\": 3}}");
        assertThatThrownBy(() -> PoiskConfig.load(file, Map.of(), Map.of()))
                .isInstanceOf(PoiskException.class).hasMessageContaining("renamed to 'index.rescore_factor'");
        assertThatThrownBy(() -> PoiskConfig.load(null, Map.of("POISK_INDEX_RERANK_FACTOR", "3"), Map.of()))
                .isInstanceOf(PoiskException.class).hasMessageContaining("POISK_INDEX_RESCORE_FACTOR");
        assertThat(PoiskConfig.load(null, Map.of("POISK_INDEX_RESCORE_FACTOR", "3"), Map.of()).integer("index.rescore_factor")).isEqualTo(3);
    }

    @Test
    void environmentNamesFollowTheKey() {
        assertThat(PoiskConfig.envName("embedding.max_batch")).isEqualTo("POISK_EMBEDDING_MAX_BATCH");
    }
}
