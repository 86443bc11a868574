package io.poisk.cluster;

import io.poisk.core.Document;
import io.poisk.core.PoiskConfig;
import io.poisk.engine.PoiskEngine;
import io.poisk.engine.SearchRequest;
import io.poisk.index.CollectionOptions;
import io.poisk.index.EmbeddedDocument;
import io.poisk.kafka.KafkaBroker;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shard replica keeps its applied offset durable beside the shard: restarted (engine and consumer) on the same
 * folder it applies only the records after that offset, and ends identical to a copy built from the whole log.
 */
@Tag("cluster")
class ShardReplicaOffsetTest {
    private static final ShardReplica.Listener QUIET = new ShardReplica.Listener() {
        @Override
        public void state(int shard, long offset, boolean ready) {
        }

        @Override
        public void released(int shard) {
        }
    };

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aRestartedReplicaAppliesOnlyTheTailAndEndsIdentical(@TempDir Path tmp) throws Exception {
        Path noModels = Files.createDirectories(tmp.resolve("models"));
        try (KafkaBroker broker = KafkaBroker.start(tmp.resolve("kafka"), 0, 0); ShardLog log = new ShardLog(broker.bootstrap())) {
            ShardSpec spec = new ShardSpec("d", null, 4, "cosine", CollectionOptions.defaults(), 1, 1);
            log.createCompactedTopic(spec.topic(), 1);
            List<ShardLog.Entry> first = new ArrayList<>();
            for (int i = 0; i < 10; i++) first.add(upsert(i, "first " + i));
            first.add(new ShardLog.Entry(0, "d2", null));
            long firstEnd = log.write(spec.topic(), first).get(30, TimeUnit.SECONDS).get(0);

            Path copy = tmp.resolve("copy");
            try (PoiskEngine engine = open(copy, noModels)) {
                ShardReplica replica = new ShardReplica(spec, 0, broker.bootstrap(), engine, copy.resolve("offsets"), QUIET).start();
                awaitApplied(replica, firstEnd);
                assertThat(replica.appliedRecords()).isEqualTo(11);
                replica.close();
            }
            assertThat(new ShardOffsetFile(copy.resolve("offsets"), "d-s0").read()).isEqualTo(firstEnd);

            long end = log.write(spec.topic(), List.of(upsert(10, "new 10"), upsert(11, "new 11"), upsert(1, "changed 1"),
                    new ShardLog.Entry(0, "d4", null), upsert(12, "new 12"))).get(30, TimeUnit.SECONDS).get(0);

            Path whole = tmp.resolve("whole");
            try (PoiskEngine restarted = open(copy, noModels); PoiskEngine fresh = open(whole, noModels)) {
                ShardReplica resumed = new ShardReplica(spec, 0, broker.bootstrap(), restarted, copy.resolve("offsets"), QUIET).start();
                awaitApplied(resumed, end);
                assertThat(resumed.appliedRecords()).as("only the tail after offset %d", firstEnd).isEqualTo(5);
                resumed.close();
                ShardReplica rebuilt = new ShardReplica(spec, 0, broker.bootstrap(), fresh, whole.resolve("offsets"), QUIET).start();
                awaitApplied(rebuilt, end);
                assertThat(rebuilt.appliedRecords()).isEqualTo(16);
                rebuilt.close();

                for (int i = 0; i < 13; i++) {
                    Optional<Document> a = restarted.getDocument("d-s0", "d" + i).get(10, TimeUnit.SECONDS);
                    Optional<Document> b = fresh.getDocument("d-s0", "d" + i).get(10, TimeUnit.SECONDS);
                    assertThat(a).as("d" + i).isEqualTo(b);
                    assertThat(a.isPresent()).as("d" + i).isEqualTo(i != 2 && i != 4);
                }
                assertThat(restarted.getDocument("d-s0", "d1").get(10, TimeUnit.SECONDS).orElseThrow().text()).isEqualTo("changed 1");
                SearchRequest query = new SearchRequest(null, null, 20, null, Map.of(), null, null, 0, null, vector(5));
                assertThat(restarted.search("d-s0", query).get(10, TimeUnit.SECONDS).plainHits())
                        .isEqualTo(fresh.search("d-s0", query).get(10, TimeUnit.SECONDS).plainHits());
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aRecordTheIndexRefusesIsSkippedAndTheShardGoesOn(@TempDir Path tmp) throws Exception {
        Path noModels = Files.createDirectories(tmp.resolve("models"));
        try (KafkaBroker broker = KafkaBroker.start(tmp.resolve("kafka"), 0, 0); ShardLog log = new ShardLog(broker.bootstrap())) {
            CollectionOptions typed = CollectionOptions.fromMap(Map.of("fields", Map.of("n", "long")));
            ShardSpec spec = new ShardSpec("t", null, 4, "cosine", typed, 1, 1);
            log.createCompactedTopic(spec.topic(), 1);
            EmbeddedDocument bad = new EmbeddedDocument(new Document("d1", "bad", Map.of("n", "not a number")), vector(1));
            long end = log.write(spec.topic(), List.of(upsert(0, "good 0"), new ShardLog.Entry(0, "d1", ShardRecordCodec.encode(bad)),
                    upsert(2, "good 2"))).get(30, TimeUnit.SECONDS).get(0);
            try (PoiskEngine engine = open(tmp.resolve("copy"), noModels)) {
                ShardReplica replica = new ShardReplica(spec, 0, broker.bootstrap(), engine, tmp.resolve("copy/offsets"), QUIET).start();
                awaitApplied(replica, end);
                replica.close();
                assertThat(engine.getDocument("t-s0", "d0").get(10, TimeUnit.SECONDS)).isPresent();
                assertThat(engine.getDocument("t-s0", "d1").get(10, TimeUnit.SECONDS)).isEmpty();
                assertThat(engine.getDocument("t-s0", "d2").get(10, TimeUnit.SECONDS)).isPresent();
            }
        }
    }

    private static ShardLog.Entry upsert(int i, String text) {
        EmbeddedDocument d = new EmbeddedDocument(new Document("d" + i, text, Map.of("n", i)), vector(i));
        return new ShardLog.Entry(0, "d" + i, ShardRecordCodec.encode(d));
    }

    private static float[] vector(int i) {
        return new float[] {1, i, (float) Math.sin(i), (float) Math.cos(i)};
    }

    private static PoiskEngine open(Path dataDir, Path models) {
        return PoiskEngine.open(PoiskConfig.defaults().with(Map.of("data_dir", dataDir.toString(), "models_dir", models.toString(),
                "index.workers", "2")));
    }

    private static void awaitApplied(ShardReplica replica, long offset) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (replica.held(0).map(h -> !h.ready || h.applied < offset).orElse(true)) {
            if (System.nanoTime() > deadline) throw new AssertionError("shard 0 not applied to " + offset + " within 60 s");
            Thread.sleep(50);
        }
    }
}
