package io.poisk.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A script of {@code ops/cluster/} run by a test: with the test's classpath, JVM flags and models folder (so the
 * scripts start what this build compiled), its output captured, bounded in time.
 */
record ClusterScript(int rc, String out, String err) {

    /** Runs {@code command} (its first element relative to {@code repo}); a node must be up within {@code upTimeoutS}. */
    static ClusterScript run(Path repo, long upTimeoutS, long timeoutS, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile());
        pb.command().set(0, repo.resolve(command[0]).toString());
        Map<String, String> env = pb.environment();
        env.put("POISK_CLASSPATH", System.getProperty("java.class.path"));
        env.put("POISK_KAFKA_CLASSPATH", System.getProperty("java.class.path"));
        env.put("POISK_JVM_FLAGS", System.getProperty("poisk.jvm.flags"));
        env.put("POISK_MODELS_DIR", System.getProperty("poisk.models.dir"));
        env.put("POISK_UP_TIMEOUT_S", String.valueOf(upTimeoutS));
        Path out = Files.createTempFile("cluster-script", ".out"), err = Files.createTempFile("cluster-script", ".err");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new ClusterScript(-1, Files.readString(out), "timed out after " + timeoutS + " s; " + Files.readString(err));
            }
            return new ClusterScript(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
