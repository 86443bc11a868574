package io.poisk.app;

import io.poisk.cluster.InferenceWorkerNode;
import io.poisk.core.PoiskConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code poisk worker}: a node that only serves inference (a GPU box). It loads its models, joins the cluster and
 * answers the embed and rerank batches of serving nodes until it is stopped; a shutdown hook leaves the cluster first.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Serve model inference to a Poisk cluster (no data, no HTTP): poisk worker --cluster-port P --join HOST:P,...")
final class WorkerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerCommand.class);

    @Option(names = "--models-served", paramLabel = "ID,...", description = "model card ids to serve (inference.models; default: default_model)")
    String served;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", description = "where the models run (inference.device)")
    String device;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Override
    public Integer call() throws InterruptedException {
        Map<String, String> flags = new LinkedHashMap<>(cluster.flags());
        flags.put("cluster.enabled", "true"); // a worker is nothing without its cluster; --cluster is accepted for symmetry
        if (served != null) flags.put("inference.models", served);
        if (device != null) flags.put("inference.device", device);
        PoiskConfig cfg = config.load(flags);
        LogFormat.apply(cfg.string("log.format"));

        InferenceWorkerNode node = InferenceWorkerNode.start(cfg);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("inference worker shutting down");
            try {
                node.close();
            } finally {
                stopped.countDown();
            }
        }, "poisk-shutdown"));
        stopped.await();
        return 0;
    }
}
