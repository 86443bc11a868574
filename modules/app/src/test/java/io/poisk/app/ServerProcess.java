package io.poisk.app;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code poisk serve} in a child JVM: the same java binary and classpath as this test JVM, the JVM
 * flags from the build ({@code poisk.jvm.flags}), its output in a log file.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    final int port;

    private ServerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static ServerProcess start(Path dataDir, Path log) throws IOException, InterruptedException {
        return start(dataDir, log, java.util.Map.of());
    }

    /** As {@link #start(Path, Path)}, with extra environment (configuration overrides such as {@code POISK_INDEX_…}). */
    static ServerProcess start(Path dataDir, Path log, java.util.Map<String, String> env) throws IOException, InterruptedException {
        int port = freePort();
        String flags = System.getProperty("poisk.jvm.flags");
        if (flags == null || flags.isBlank()) throw new IllegalStateException("system property poisk.jvm.flags is not set (the app pom passes it)");
        String modelsDir = System.getProperty("poisk.models.dir");
        if (modelsDir == null) throw new IllegalStateException("system property poisk.models.dir is not set (the parent pom passes it)");

        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(Arrays.asList(flags.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.poisk.app.Main",
                "serve", "--port", String.valueOf(port), "--data", dataDir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().put("POISK_MODELS_DIR", modelsDir);
        pb.environment().putAll(env);
        ServerProcess server = new ServerProcess(pb.start(), log, port);
        server.awaitHealthy(Duration.ofSeconds(180));
        return server;
    }

    /** The child's process id (for jcmd, kill). */
    long pid() {
        return process.pid();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private void awaitHealthy(Duration timeout) throws InterruptedException, IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + logTail());
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"up\"")) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("server not healthy within " + timeout + ":\n" + logTail());
    }

    /** SIGKILL: no shutdown hook, no clean close; what survives is what was durable. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    String logTail() throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
