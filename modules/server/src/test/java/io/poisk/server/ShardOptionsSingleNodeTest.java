package io.poisk.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A single node and the sharding parts of the API: {@code shards}/{@code replicas} at create and {@code after} in a
 * search are refused with what to do instead, and the replies of plain collections keep their shape (no
 * {@code offsets}, {@code shards} or {@code partial}). No model is needed: vectors are given.
 */
class ShardOptionsSingleNodeTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path noModels;

    @Test
    void aSingleNodeRefusesShardingAndKeepsItsReplies() {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of("models_dir", noModels.toString())))) {
            ApiClient api = new ApiClient(server.port());
            var sharded = api.put("/collections/s", "{\"model\":null,\"dimension\":2,\"similarity\":\"dot\",\"shards\":3}");
            assertThat(sharded.status()).as(sharded.raw()).isEqualTo(400);
            assertThat(sharded.raw()).contains("cluster mode").contains("cluster.kafka.bootstrap");
            assertThat(api.put("/collections/s", "{\"model\":null,\"dimension\":2,\"similarity\":\"dot\",\"replicas\":2}").raw())
                    .contains("'replicas' needs 'shards'");
            assertThat(api.put("/collections/s", "{\"model\":null,\"dimension\":2,\"similarity\":\"dot\",\"shards\":0}").raw())
                    .contains("'shards' must be an integer between 1 and 64");
            assertThat(api.put("/collections/s", "{\"model\":null,\"dimension\":2,\"similarity\":\"dot\",\"shards\":2,\"replicas\":9}").raw())
                    .contains("'replicas' must be an integer between 1 and 8");
            assertThat(api.get("/collections/s").status()).isEqualTo(404);

            assertThat(api.put("/collections/s", "{\"model\":null,\"dimension\":2,\"similarity\":\"dot\"}").status()).isEqualTo(201);
            var indexed = api.post("/collections/s/documents", "{\"documents\":[{\"id\":\"a\",\"text\":\"x\",\"vector\":[1,0]}]}");
            assertThat(indexed.raw()).isEqualTo("{\"indexed\":1}");
            var page = api.post("/collections/s/search", "{\"vector\":[1,0]}");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body().has("shards")).isFalse();
            assertThat(page.body().has("partial")).isFalse();
            var after = api.post("/collections/s/search", "{\"vector\":[1,0],\"after\":{\"0\":3}}");
            assertThat(after.status()).isEqualTo(400);
            assertThat(after.raw()).contains("invalid_query").contains("'after'").contains("is for sharded collections");
            assertThat(api.post("/collections/s/search", "{\"vector\":[1,0],\"after\":{\"x\":3}}").raw()).contains("maps shard numbers to offsets");
            assertThat(api.post("/collections/s/search", "{\"vector\":[1,0],\"after\":{}}").status()).isEqualTo(200);
        }
    }
}
