package io.poisk.server;

import io.poisk.core.PoiskConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assumptions.assumeThat;

/** Configuration for servers under test: a free port, a temp data dir, the provisioned default model. */
final class TestServers {
    private TestServers() {
    }

    static Path modelsDir() {
        String dir = System.getProperty("poisk.models.dir", "../../index-data/models");
        Path p = Path.of(dir);
        String model = PoiskConfig.defaults().string("default_model");
        assumeThat(Files.isDirectory(p.resolve(model)))
                .as("the default model must be provisioned at %s (the models build does it)", p.resolve(model))
                .isTrue();
        return p;
    }

    static PoiskConfig config(Path dataDir, Map<String, String> overrides) {
        Map<String, String> m = new HashMap<>();
        m.put("port", "0");
        m.put("host", "127.0.0.1");
        m.put("data_dir", dataDir.toString());
        m.put("models_dir", modelsDir().toString());
        m.put("index.workers", "2");
        m.putAll(overrides);
        return PoiskConfig.defaults().with(m);
    }
}
