package io.poisk.app;

import io.poisk.core.PoiskConfig;
import io.poisk.server.PoiskServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code poisk serve}: runs the HTTP server until the process is stopped; a shutdown hook closes it cleanly. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the Poisk server (port 8080, data in index-data/ by default).")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--port", paramLabel = "N", description = "HTTP port (0: any free port)")
    Integer port;

    @Option(names = "--data", paramLabel = "DIR", description = "data directory (data_dir)")
    Path dataDir;

    @Option(names = "--insecure", description = "serve a non-loopback host without any API key (auth.insecure=true)")
    boolean insecure;

    @Option(names = "--inference", paramLabel = "local|remote", description = "run models here or on poisk worker nodes (inference.mode; remote needs --cluster)")
    String inference;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> flags = new LinkedHashMap<>();
        if (port != null) flags.put("port", String.valueOf(port));
        if (dataDir != null) flags.put("data_dir", dataDir.toString());
        if (insecure) flags.put("auth.insecure", "true");
        flags.putAll(cluster.flags());
        if (inference != null) flags.put("inference.mode", inference);
        PoiskConfig cfg = config.load(flags);
        LogFormat.apply(cfg.string("log.format"));

        PoiskServer server = PoiskServer.start(cfg, ClusterServerRuntime.of(cfg));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            try {
                server.close();
            } finally {
                stopped.countDown();
            }
        }, "poisk-shutdown"));
        stopped.await();
        return 0;
    }
}
