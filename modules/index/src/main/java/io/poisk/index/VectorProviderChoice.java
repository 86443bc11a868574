package io.poisk.index;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks JVector's vectorization provider before JVector first looks it up. On Java 25 JVector
 * chooses its native (Highway) provider by itself, but on our AVX2 machines the Panama one was
 * faster: ~2x in PQ training and encoding (8-float subvectors make per-call overhead dominate),
 * 17-22% in search, ~17% in graph build. An explicit {@code -Djvector.vectorization_provider=...}
 * always wins; without the incubator vector module Panama cannot load, so JVector decides.
 */
final class VectorProviderChoice {
    private static final Logger log = LoggerFactory.getLogger(VectorProviderChoice.class);
    static final String PROPERTY = "jvector.vectorization_provider";

    private VectorProviderChoice() {
    }

    static void preferPanama() {
        if (System.getProperty(PROPERTY) != null) return;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            log.debug("jdk.incubator.vector is not loaded; leaving JVector's provider choice alone");
            return;
        }
        System.setProperty(PROPERTY, "panama");
    }
}
