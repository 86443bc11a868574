package io.poisk.app;

import io.poisk.core.PoiskConfig;
import io.poisk.core.PoiskException;
import io.poisk.server.ServerRuntime;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterServerRuntimeTest {

    @Test
    void aSingleNodeKeepsTheLocalRuntime() {
        assertThat(ClusterServerRuntime.of(PoiskConfig.defaults())).isSameAs(ServerRuntime.LOCAL);
    }

    @Test
    void remoteInferenceWithoutAClusterOrAnUnknownModeIsRefusedWithWhatToSet() {
        assertThatThrownBy(() -> ClusterServerRuntime.of(PoiskConfig.defaults().with(Map.of("inference.mode", "remote"))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("cluster.enabled=true");
        assertThatThrownBy(() -> ClusterServerRuntime.of(PoiskConfig.defaults().with(Map.of("inference.mode", "gpu"))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("local or remote");
    }

    @Test
    void serveAndWorkerTakeTheClusterFlags() {
        ServeCommand serve = new ServeCommand();
        picocli.CommandLine cl = new picocli.CommandLine(serve);
        cl.parseArgs("--cluster", "--cluster-port", "5711", "--join", "127.0.0.1:5712", "--inference", "remote", "--kafka", "127.0.0.1:9092");
        assertThat(serve.cluster.flags()).containsEntry("cluster.enabled", "true").containsEntry("cluster.port", "5711")
                .containsEntry("cluster.members", "127.0.0.1:5712").containsEntry("cluster.kafka.bootstrap", "127.0.0.1:9092");
        assertThat(serve.inference).isEqualTo("remote");
        WorkerCommand worker = new WorkerCommand();
        new picocli.CommandLine(worker).parseArgs("--cluster-port", "5712", "--join", "127.0.0.1:5711", "--device", "cpu", "--models-served", "e5-small-v2");
        assertThat(worker.device).isEqualTo("cpu");
        assertThat(worker.served).isEqualTo("e5-small-v2");
        assertThat(worker.cluster.flags()).containsEntry("cluster.port", "5712");
    }
}
