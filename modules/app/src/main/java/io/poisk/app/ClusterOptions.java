package io.poisk.app;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** The cluster flags {@code serve} and {@code worker} share; each sets the {@code cluster.*} key it names. */
final class ClusterOptions {
    @Option(names = "--cluster", description = "join a cluster over the clustered event bus (cluster.enabled=true)")
    boolean enabled;

    @Option(names = "--cluster-host", paramLabel = "HOST", description = "interface this node's cluster member binds (cluster.host; default 127.0.0.1)")
    String host;

    @Option(names = "--cluster-port", paramLabel = "P", description = "this node's Hazelcast member port (cluster.port; default 5701)")
    Integer port;

    @Option(names = "--join", paramLabel = "HOST:P,...", description = "cluster members to join (cluster.members)")
    String members;

    @Option(names = "--kafka", paramLabel = "HOST:P,...", description = "Kafka bootstrap servers (cluster.kafka.bootstrap)")
    String kafka;

    Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        if (enabled) flags.put("cluster.enabled", "true");
        if (host != null) flags.put("cluster.host", host);
        if (port != null) flags.put("cluster.port", String.valueOf(port));
        if (members != null) flags.put("cluster.members", members);
        if (kafka != null) flags.put("cluster.kafka.bootstrap", kafka);
        return flags;
    }
}
