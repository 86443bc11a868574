package io.poisk.server;

import io.poisk.core.PoiskConfig;

import java.nio.file.Path;
import java.util.Map;

/** {@link TestServers} for tests in sub-packages (it is package-private by design). */
public final class TestServersAccess {
    private TestServersAccess() {
    }

    public static PoiskConfig config(Path dataDir, Map<String, String> overrides) {
        return TestServers.config(dataDir, overrides);
    }
}
