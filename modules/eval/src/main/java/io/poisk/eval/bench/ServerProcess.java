package io.poisk.eval.bench;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Poisk server in its own JVM, the way {@code ./poisk serve} runs it: the packaged app
 * ({@code modules/app/target/lib}) with the build's JVM flags, plus a fixed heap, on a free loopback port with its
 * own data folder. Its heap is read the way an operator would, with {@code jcmd}, after a full collection.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final Process process;
    private final int port;
    private final Path log;

    private ServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the server and waits (at most 3 minutes) until {@code GET /health} answers 200. */
    static ServerProcess start(Path repo, Path dataDir, String xmx, Map<String, String> config) throws IOException, InterruptedException {
        Path app = repo.resolve("modules/app/target");
        Path flagsFile = app.resolve("jvm.flags");
        if (!Files.isDirectory(app.resolve("lib")) || !Files.exists(flagsFile)) {
            throw new IllegalStateException("no packaged app in " + app + ": run mvn -o -q install -DskipTests first");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.stream(Files.readString(flagsFile).split("\\s+")).filter(f -> !f.isBlank()).toList());
        cmd.add("-Xmx" + xmx);
        cmd.addAll(List.of("-cp", app.resolve("lib") + "/*", "io.poisk.app.Main", "serve", "--port", Integer.toString(port),
                "--data", dataDir.toString()));
        Files.createDirectories(dataDir);
        Path log = dataDir.resolveSibling("server.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("POISK_MODELS_DIR", repo.resolve("index-data/models").toString());
        pb.environment().put("POISK_LOG_ACCESS", "false"); // a line per ingest request and search would only cost disk
        config.forEach((k, v) -> pb.environment().put("POISK_" + k.toUpperCase(java.util.Locale.ROOT).replace('.', '_'), v));
        ServerProcess server = new ServerProcess(pb.start(), port, log);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            if (!server.process.isAlive()) throw new IllegalStateException("server exited: see " + log);
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(server.uri("/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return server;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        server.close();
        throw new IllegalStateException("server did not answer /health within 3 minutes: see " + log);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    long pid() {
        return process.pid();
    }

    /** Heap in use after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), in bytes. */
    long heapAfterFullGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        jcmd("GC.run"); // a second one collects what the first one's finalisation and reference processing released
        Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
        if (!m.find()) throw new IllegalStateException("no heap use in jcmd GC.heap_info");
        return Long.parseLong(m.group(1)) * 1024;
    }

    /**
     * Whether any thread whose name starts with one of {@code prefixes} is doing work: an idle pool thread waits in
     * {@code ThreadPoolExecutor.getTask} for its next task ({@code jcmd Thread.print}). The engine's meters count
     * finished flushes and merges but do not show one in progress; its flush and merge threads do.
     */
    boolean busy(List<String> prefixes) throws IOException, InterruptedException {
        for (String block : jcmd("Thread.print").split("\n\s*\n")) {
            String header = block.strip();
            if (!header.startsWith("\"")) continue;
            String name = header.substring(1, header.indexOf('"', 1));
            if (prefixes.stream().anyMatch(name::startsWith) && !block.contains("ThreadPoolExecutor.getTask")) return true;
        }
        return false;
    }

    /** The first {@code lines} rows of {@code jcmd GC.class_histogram} (live objects only: it runs a full GC): what holds the heap. */
    String heapHistogram(int lines) throws IOException, InterruptedException {
        return String.join("\n", jcmd("GC.class_histogram").lines().limit(lines + 3).toList());
    }

    /** Resident set size of the server process (heap, metaspace, native buffers and the mapped file pages it touched). */
    long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        return -1;
    }

    /** CPU time of the server process, all threads (user + system, from /proc), in seconds. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3 (state)
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ = 100)
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid()), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) throw new IllegalStateException("jcmd " + command + ": " + out);
        return out;
    }

    /** Stops the server as an operator does (SIGTERM: its shutdown hook closes the collections), at most 2 minutes. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    Path log() {
        return log;
    }
}
