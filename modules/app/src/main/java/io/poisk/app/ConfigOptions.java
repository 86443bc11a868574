package io.poisk.app;

import io.poisk.core.PoiskConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options every engine-running command shares. Configuration comes from the defaults, then
 * {@code --config FILE}, then {@code POISK_*} environment variables, then these flags.
 */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "JSON configuration file")
    Path configFile;

    @Option(names = "--models", paramLabel = "DIR", description = "model folder (models_dir); default index-data/models or $POISK_MODELS_DIR")
    Path modelsDir;

    PoiskConfig load(Map<String, String> flagOverrides) {
        Map<String, String> overrides = new LinkedHashMap<>(flagOverrides);
        if (modelsDir != null) overrides.put("models_dir", modelsDir.toString());
        return PoiskConfig.load(configFile, System.getenv(), overrides);
    }
}
