package io.poisk.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One Kafka node in KRaft mode, broker and controller in one process, listening on 127.0.0.1 only, its logs and
 * metadata under one folder. It is Kafka's own code from the Maven artifact: the storage is formatted with Kafka's
 * {@link StorageTool} (what {@code kafka-storage.sh format} runs) and the node is Kafka's {@link KafkaRaftServer}
 * (what {@code kafka-server-start.sh} runs in KRaft mode). Nothing is downloaded at run time.
 *
 * <p>Single node, replication factor 1: it gives the cluster scripts and tests a real broker; it is not a
 * replicated Kafka. {@code main} is the command ops/cluster/up runs.
 */
public final class KafkaBroker implements AutoCloseable {
    /** What {@link #main} prints on standard output once the broker answers, so a script can wait for it. */
    static final String READY_PREFIX = "{\"broker\":";
    private static final int NODE_ID = 1;
    private static final long READY_TIMEOUT_MS = 60_000;

    private final KafkaRaftServer server;
    private final Path dir;
    private final int port;
    private final int controllerPort;

    private KafkaBroker(KafkaRaftServer server, Path dir, int port, int controllerPort) {
        this.server = server;
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Formats {@code dir} unless it was formatted before (it then keeps its cluster id and its data) and starts the node
     * on 127.0.0.1:{@code port} (clients) and 127.0.0.1:{@code controllerPort} (the KRaft quorum); 0 picks a free
     * port. Returns once the broker answers a client's describeCluster.
     */
    public static KafkaBroker start(Path dir, int port, int controllerPort) {
        try {
            Files.createDirectories(dir);
            int clientPort = port > 0 ? port : freePort();
            int quorumPort = controllerPort > 0 ? controllerPort : freePort();
            Properties props = properties(dir, clientPort, quorumPort);
            Path file = dir.resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(file)) {
                props.store(out, "written by io.poisk.kafka.KafkaBroker on every start");
            }
            // format once: a folder formatted before keeps its cluster id and its data (Kafka refuses another id)
            if (!Files.exists(logDir(dir).resolve("meta.properties"))) format(file);
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            KafkaBroker broker = new KafkaBroker(server, dir, clientPort, quorumPort);
            try {
                server.startup();
                broker.awaitAnswering(READY_TIMEOUT_MS);
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the Kafka folder " + dir, e);
        }
    }

    /** The configuration of a combined KRaft node on loopback, with the single-node replication factors. */
    static Properties properties(Path dir, int port, int controllerPort) {
        Properties p = new Properties();
        p.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", String.valueOf(NODE_ID)),
                Map.entry("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("log.dirs", logDir(dir).toAbsolutePath().toString()),
                // one node: every internal topic has one replica, and acks=all means this node's log
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("num.partitions", "1"),
                // a consumer group forms at once instead of waiting 3 s for more members
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                // a test or script machine: fewer threads than Kafka's server defaults
                Map.entry("num.network.threads", "2"),
                Map.entry("num.io.threads", "2"),
                Map.entry("background.threads", "2")));
        return p;
    }

    private static Path logDir(Path dir) {
        return dir.resolve("logs");
    }

    /** Kafka's storage format of a new folder (kafka-storage.sh format), with a new cluster id. */
    private static void format(Path config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "--config", config.toString(),
                    "--cluster-id", Uuid.randomUuid().toString()}, print);
        }
        if (rc != 0) throw new IllegalStateException("kafka storage format failed (" + rc + "): " + out.toString(StandardCharsets.UTF_8));
    }

    /** Polls describeCluster until the broker lists itself (startup returns before the broker is unfenced). */
    private void awaitAnswering(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS).isEmpty()) return;
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
        }
        throw new IllegalStateException("Kafka broker on " + bootstrap() + " did not answer within " + timeoutMs + " ms", last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code bootstrap.servers} for clients: {@code 127.0.0.1:port}. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dir() {
        return dir;
    }

    /** Kafka's controlled shutdown: the logs are flushed and closed, so the next start recovers nothing. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    /**
     * {@code KafkaBroker --dir DIR [--port P] [--controller-port C]}: starts the broker, prints one JSON line
     * ({@code {"broker":...,"pid":...,"bootstrap":"127.0.0.1:P",...}}) once it answers, and runs until the process
     * is stopped (SIGTERM shuts it down cleanly).
     */
    public static void main(String[] args) throws InterruptedException {
        Path dir = null;
        int port = 0;
        int controllerPort = 0;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--dir" -> dir = Path.of(require(args[i], value));
                case "--port" -> port = Integer.parseInt(require(args[i], value));
                case "--controller-port" -> controllerPort = Integer.parseInt(require(args[i], value));
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (dir == null) usage("--dir is required");
        long t0 = System.nanoTime();
        KafkaBroker broker = start(dir, port, controllerPort);
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "kafka-broker-shutdown"));
        System.out.println(READY_PREFIX + "true,\"pid\":" + ProcessHandle.current().pid() + ",\"bootstrap\":\"" + broker.bootstrap()
                + "\",\"controller_port\":" + broker.controllerPort() + ",\"started_ms\":" + (System.nanoTime() - t0) / 1_000_000 + "}");
        System.out.flush();
        stopped.await();
    }

    private static String require(String flag, String value) {
        if (value == null) usage(flag + " needs a value");
        return value;
    }

    private static void usage(String problem) {
        System.err.println("KafkaBroker: " + problem + "\nusage: KafkaBroker --dir DIR [--port P] [--controller-port C]");
        System.exit(2);
    }
}
