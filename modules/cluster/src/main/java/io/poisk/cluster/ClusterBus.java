package io.poisk.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.Arrays;
import java.util.List;

/**
 * The clustered event bus of a Poisk node: Vert.x's own, with Hazelcast as the cluster manager (membership and the
 * map of which node consumes which address). The Hazelcast configuration is Vert.x's default one (the maps the event
 * bus needs) with the network set from {@code cluster.*}: the member binds {@code cluster.host}:{@code cluster.port}
 * only, joins the {@code cluster.members} over TCP/IP, and never uses multicast or cloud auto-detection. The event bus
 * itself listens on a free port of the same host; Hazelcast tells the other nodes which.
 */
public final class ClusterBus {
    /** Members of another cluster name are never joined, whatever port they sit on. */
    static final String CLUSTER_NAME = "poisk";

    private final Vertx vertx;
    private final HazelcastClusterManager manager;

    private ClusterBus(Vertx vertx, HazelcastClusterManager manager) {
        this.vertx = vertx;
        this.manager = manager;
    }

    public Vertx vertx() {
        return vertx;
    }

    /**
     * Runs {@code listener} whenever a member leaves the cluster or is declared dead (on a Hazelcast thread: it must
     * not block). Hazelcast accepts many membership listeners; Vert.x's own cleanup of the member's consumers is another.
     */
    public void onMemberLeft(Runnable listener) {
        manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                listener.run();
            }
        });
    }

    /** This node's Hazelcast member id (a UUID), the key of its descriptor in the {@link NodeDirectory}. */
    public String nodeId() {
        return manager.getHazelcastInstance().getCluster().getLocalMember().getUuid().toString();
    }

    /** The members this node sees now, itself included (Hazelcast's local view: no remote call). */
    public java.util.Set<com.hazelcast.cluster.Member> members() {
        return manager.getHazelcastInstance().getCluster().getMembers();
    }

    /** As {@link #onMemberLeft}, with the member id of the one that left. */
    public void onMemberRemoved(java.util.function.Consumer<String> listener) {
        manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                listener.accept(event.getMember().getUuid().toString());
            }
        });
    }

    /** {@code options} with the event bus bound to {@code cluster.host} (a free port), for {@link #start}. */
    public static VertxOptions options(PoiskConfig config, VertxOptions options) {
        String host = config.string("cluster.host");
        return options.setEventBusOptions(new EventBusOptions().setHost(host).setPort(0).setClusterPublicHost(host));
    }

    /** Joins the cluster with {@code builder} (made from {@link #options}); completes once this node is a member. */
    public static Future<ClusterBus> join(VertxBuilder builder, PoiskConfig config) {
        HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast(config));
        return builder.withClusterManager(manager).buildClustered().map(vertx -> new ClusterBus(vertx, manager));
    }

    /** The Hazelcast member configuration of {@code cluster.*}. */
    static Config hazelcast(PoiskConfig config) {
        String host = config.string("cluster.host");
        int port = config.integer("cluster.port");
        Config hz = new HazelcastClusterManager().loadConfig(); // Vert.x's default: the subscription multimap and node maps
        hz.setClusterName(CLUSTER_NAME);
        hz.setProperty("hazelcast.logging.type", "slf4j");
        hz.setProperty("hazelcast.phone.home.enabled", "false");
        // Join at once: members are listed, there is nothing to wait for.
        hz.setProperty("hazelcast.wait.seconds.before.join", "0");
        // A member killed with SIGKILL is noticed by its closed connections; heartbeats bound the rest (default 60 s).
        hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        hz.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        // Vert.x leaves the cluster when it closes (our shutdown hook closes it); Hazelcast's own hook would leave first.
        hz.setProperty("hazelcast.shutdownhook.enabled", "false");
        hz.setProperty("hazelcast.socket.bind.any", "false");
        NetworkConfig network = hz.getNetworkConfig();
        // Reuse the address: a member restarted after a crash (ops/cluster/fault) binds its port again while the dead
        // one's connections still sit in TIME_WAIT.
        network.setPort(port).setPortAutoIncrement(false).setReuseAddress(true);
        network.getInterfaces().setEnabled(true).addInterface(host);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members(config.string("cluster.members"), host + ":" + port));
        return hz;
    }

    /** {@code cluster.members} as host:port entries (this node included, as Hazelcast expects); a malformed one is a 400. */
    static List<String> members(String list, String self) {
        List<String> members = new java.util.ArrayList<>(List.of(self));
        for (String m : Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            int colon = m.lastIndexOf(':');
            if (colon <= 0 || !m.substring(colon + 1).matches("\\d{1,5}")) {
                throw PoiskException.badRequest("cluster.members: '" + m + "' is not host:port");
            }
            if (!members.contains(m)) members.add(m);
        }
        return members;
    }
}
