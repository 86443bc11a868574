package io.poisk.app;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code poisk worker} in a child JVM (same java, classpath and JVM flags as {@link ServerProcess}); it is ready once
 * its log says its consumers are registered with the cluster.
 */
final class WorkerProcess implements AutoCloseable {
    static final String READY = "serving inference on";
    private final Process process;
    private final Path log;
    final int clusterPort;

    private WorkerProcess(Process process, Path log, int clusterPort) {
        this.process = process;
        this.log = log;
        this.clusterPort = clusterPort;
    }

    /** Starts a worker on loopback port {@code clusterPort} joining {@code members} (host:port,...). */
    static WorkerProcess start(int clusterPort, String members, Path log, Duration timeout) throws IOException, InterruptedException {
        String flags = System.getProperty("poisk.jvm.flags");
        if (flags == null || flags.isBlank()) throw new IllegalStateException("system property poisk.jvm.flags is not set (the app pom passes it)");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(Arrays.asList(flags.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.poisk.app.Main", "worker", "--cluster",
                "--cluster-host", "127.0.0.1", "--cluster-port", String.valueOf(clusterPort), "--join", members, "--device", "cpu"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().put("POISK_MODELS_DIR", System.getProperty("poisk.models.dir"));
        WorkerProcess worker = new WorkerProcess(pb.start(), log, clusterPort);
        worker.awaitReady(timeout);
        return worker;
    }

    private void awaitReady(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("worker exited with " + process.exitValue() + ":\n" + logTail());
            if (Files.exists(log) && Files.readString(log).contains(READY)) return;
            Thread.sleep(250);
        }
        throw new IllegalStateException("worker not ready within " + timeout + ":\n" + logTail());
    }

    /** SIGKILL: the worker's batches in flight are never answered and it never leaves the cluster cleanly. */
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

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
