package io.poisk.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Hazelcast member and event-bus settings made from cluster.* (no member is started here). */
class ClusterBusTest {
    private static final PoiskConfig CONFIG = PoiskConfig.defaults().with(Map.of("cluster.enabled", "true", "cluster.host", "127.0.0.1",
            "cluster.port", "5801", "cluster.members", " 127.0.0.1:5802, 127.0.0.1:5801,127.0.0.1:5803 "));

    @Test
    void tcpIpJoinOfTheListedMembersOnLoopbackWithoutMulticast() {
        Config hz = ClusterBus.hazelcast(CONFIG);
        JoinConfig join = hz.getNetworkConfig().getJoin();
        assertThat(join.getMulticastConfig().isEnabled()).isFalse();
        assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
        assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
        assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802", "127.0.0.1:5803");
        assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5801);
        assertThat(hz.getNetworkConfig().isPortAutoIncrement()).isFalse();
        assertThat(hz.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
        assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
        assertThat(hz.getClusterName()).isEqualTo("poisk");
        // Vert.x's own default config underneath: the subscription map the clustered event bus needs
        assertThat(hz.getMultiMapConfigs()).containsKey("__vertx.subs");
    }

    @Test
    void theEventBusBindsTheClusterHostOnAFreePort() {
        VertxOptions options = ClusterBus.options(CONFIG, new VertxOptions());
        assertThat(options.getEventBusOptions().getHost()).isEqualTo("127.0.0.1");
        assertThat(options.getEventBusOptions().getPort()).isZero();
        assertThat(options.getEventBusOptions().getClusterPublicHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void aMemberThatIsNotHostColonPortIsRefusedByName() {
        assertThatThrownBy(() -> ClusterBus.members("127.0.0.1:5702,localhost", "127.0.0.1:5701"))
                .isInstanceOf(PoiskException.class).hasMessageContaining("'localhost' is not host:port");
        assertThat(ClusterBus.members("", "127.0.0.1:5701")).containsExactly("127.0.0.1:5701");
    }

    @Test
    void aWorkerServesTheDefaultModelUnlessToldOtherwise() {
        assertThat(InferenceWorkerNode.served(PoiskConfig.defaults())).containsExactly("e5-small-v2");
        assertThat(InferenceWorkerNode.served(PoiskConfig.defaults().with(Map.of("inference.models", "a, b,a"))))
                .containsExactly("a", "b");
    }
}
