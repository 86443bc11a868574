package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /cluster on a single node: this node alone, behind the admin key (cluster mode: ClusterScriptsTest in app). */
class ClusterRouteTest {
    static final String ADMIN = "pk_cluster-route-admin-0123456789abcdef";

    @Test
    void aSingleNodeShowsItselfToAnAdmin(@TempDir Path dir) {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of("auth.admin_key", ADMIN,
                "default_model", "no-such-model")))) {
            assertThat(new ApiClient(server.port()).get("/cluster").status()).isEqualTo(401);

            ApiClient.Reply r = new ApiClient(server.port(), ADMIN).get("/cluster");
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            assertThat(r.body().path("mode").asText()).isEqualTo("single");
            JsonNode members = r.body().path("members");
            assertThat(members).hasSize(1);
            assertThat(members.get(0).path("role").asText()).isEqualTo("serving");
            assertThat(members.get(0).path("self").asBoolean()).isTrue();
            assertThat(members.get(0).path("http").asText()).isEqualTo("127.0.0.1:" + server.port());
            assertThat(r.body().has("kafka")).as("a single node needs no Kafka").isFalse();
        }
    }
}
