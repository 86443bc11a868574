package io.poisk.cluster;

import io.poisk.core.PoiskConfig;
import io.poisk.core.SearchMode;
import io.poisk.engine.SearchPage;
import io.poisk.engine.SearchRequest;
import io.poisk.index.CollectionOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator's retries, with three real cluster members in this JVM and scripted shard readers: shard 0's copy on
 * the coordinator fails and its other copy answers; shard 1 has a copy that never answers and one that does (an
 * attempt with another copy left gets half the time, so the answer comes within the deadline); shard 2 has no ready
 * copy and is reported missing at once, without waiting out the deadline.
 */
@Tag("cluster")
class ShardQueryTest {
    private static final long DEADLINE_MS = 4000;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aFailingOrHungReplicaIsReplacedAndAShardWithoutCopiesIsNamed() throws Exception {
        int pa = freePort(), pb = freePort(), pc = freePort();
        String members = "127.0.0.1:" + pa + ",127.0.0.1:" + pb + ",127.0.0.1:" + pc;
        ClusterBus a = join(pa, members), b = join(pb, members), c = join(pc, members);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (a.members().size() < 3 && System.nanoTime() < deadline) Thread.sleep(100);
            a.vertx().eventBus().<JsonObject>consumer(ShardSearchVerticle.address(a.nodeId()), m -> m.fail(ShardSearchVerticle.FAILED, "INTERNAL:boom"));
            b.vertx().eventBus().<JsonObject>consumer(ShardSearchVerticle.address(b.nodeId()), m -> {
                int shard = m.body().getInteger("shard");
                m.reply(new JsonObject().put("took_ms", 1).put("hits", new JsonArray().add(new JsonObject().put("id", "b-s" + shard)
                        .put("score", 1.0 - shard * 0.1).put("text", "from b").put("fields", new JsonObject()))));
            });
            c.vertx().eventBus().<JsonObject>consumer(ShardSearchVerticle.address(c.nodeId()), m -> {
                // hangs: never answers
            });
            ShardPlacement placeA = new ShardPlacement(a), placeB = new ShardPlacement(b), placeC = new ShardPlacement(c);
            await(placeA.publish("q", 0, 0, 5, ShardPlacement.READY, 10, 1));
            await(placeB.publish("q", 0, 1, 5, ShardPlacement.READY, 10, 1));
            await(placeB.publish("q", 1, 1, 5, ShardPlacement.READY, 7, 1));
            await(placeC.publish("q", 1, 0, 4, ShardPlacement.READY, 6, 1));
            await(placeC.publish("q", 2, 0, 5, ShardPlacement.BUILDING, 3, 1));
            // per shard the copy that applied the most counts : 10 + 7 + 3 documents in 3 segments
            assertThat(await(placeA.totals("q"))).containsExactly(20, 3);

            ShardSpec spec = new ShardSpec("q", null, 4, "cosine", CollectionOptions.defaults(), 3, 2);
            ShardQuery query = new ShardQuery(a.vertx(), placeA);
            long[] took = new long[2];
            for (int round = 0; round < 2; round++) { // the rotation puts each copy of shard 1 first once
                long started = System.nanoTime();
                SearchPage page = await(query.search(spec, new SearchRequest("x", null, 10, SearchMode.LEXICAL, Map.of()), null, Map.of(),
                        started + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS)));
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(page.shards().answered()).isEqualTo(List.of(0, 1));
                assertThat(page.shards().missing()).isEqualTo(List.of(2));
                assertThat(page.shards().partial()).isTrue();
                assertThat(page.plainHits().stream().map(h -> h.id()).toList()).containsExactly("b-s0", "b-s1");
                assertThat(tookMs).as("within the deadline").isLessThan(DEADLINE_MS);
                took[round] = tookMs;
            }
            // one round asked the hung copy first: it waited about half the deadline before the other copy answered
            assertThat(Math.max(took[0], took[1])).isGreaterThanOrEqualTo(DEADLINE_MS / 2 - 200);
            System.out.printf("shard query rounds: %d ms and %d ms (deadline %d ms)%n", took[0], took[1], DEADLINE_MS);
        } finally {
            await(c.vertx().close());
            await(b.vertx().close());
            await(a.vertx().close());
        }
    }

    private static ClusterBus join(int port, String members) throws Exception {
        PoiskConfig config = PoiskConfig.defaults().with(Map.of("cluster.enabled", "true", "cluster.host", "127.0.0.1",
                "cluster.port", String.valueOf(port), "cluster.members", members));
        return await(ClusterBus.join(Vertx.builder().with(ClusterBus.options(config, new VertxOptions())), config));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
