package io.poisk.cluster;

import io.poisk.core.Document;
import io.poisk.core.PoiskException;
import io.poisk.index.CollectionOptions;
import io.poisk.index.EmbeddedDocument;
import io.poisk.index.PassageVector;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The formats sharded collections put in Kafka and on disk, and the shard of an id, which must never change. */
class ShardFormatsTest {

    @Test
    void theShardOfAnIdIsKafkasMurmur2AndStable() {
        // Kafka's own key hash: another function would send reads of existing ids to the wrong shard.
        int[] counts = new int[3];
        for (int i = 0; i < 3000; i++) counts[ShardRouter.shard("doc-" + i, 3)]++;
        for (int c : counts) assertThat(c).as("spread over 3 shards: %s", java.util.Arrays.toString(counts)).isBetween(850, 1150);
        assertThat(ShardRouter.shard("x", 1)).isZero();
        assertThat(ShardRouter.shard("документ", 64)).isBetween(0, 63);
        assertThat(List.of(ShardRouter.shard("a", 7), ShardRouter.shard("b", 7), ShardRouter.shard("id-42", 7)))
                .isEqualTo(List.of(org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2("a".getBytes(StandardCharsets.UTF_8))) % 7,
                        org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2("b".getBytes(StandardCharsets.UTF_8))) % 7,
                        org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2("id-42".getBytes(StandardCharsets.UTF_8))) % 7));
    }

    @Test
    void aDocumentRecordCarriesTextFieldsAndEveryPassageVector() {
        EmbeddedDocument d = new EmbeddedDocument(new Document("p1", "long text here", Map.of("year", 2024, "tags", List.of("a", "b"))),
                List.of(new PassageVector(new float[] {0.5f, -1.25f, Float.MIN_VALUE}, 0, 8), new PassageVector(new float[] {1, 2, 3}, 5, 14)));
        EmbeddedDocument back = ShardRecordCodec.decode(ShardRecordCodec.encode(d));
        assertThat(back.document()).isEqualTo(d.document());
        assertThat(back.passages()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(back.passages().get(i).vector()).isEqualTo(d.passages().get(i).vector());
            assertThat(back.passages().get(i).start()).isEqualTo(d.passages().get(i).start());
            assertThat(back.passages().get(i).end()).isEqualTo(d.passages().get(i).end());
        }
        EmbeddedDocument whole = ShardRecordCodec.decode(ShardRecordCodec.encode(new EmbeddedDocument(new Document("w", "t", null), new float[] {1, 0})));
        assertThat(whole.passages().getFirst().isWhole()).isTrue();

        byte[] newer = new JsonObject(new String(ShardRecordCodec.encode(d), StandardCharsets.UTF_8)).put("format", 2).encode()
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ShardRecordCodec.decode(newer)).hasMessageContaining("format 2; this build reads 1");
    }

    @Test
    void aSpecRoundTripsEqualAndItsNamesAreFixed() {
        ShardSpec spec = new ShardSpec("news", null, 8, "dot", CollectionOptions.defaults(), 3, 2);
        assertThat(ShardSpec.fromBytes(spec.toBytes())).isEqualTo(spec);
        assertThat(spec.topic()).isEqualTo("poisk.collection.news");
        assertThat(spec.group(1)).isEqualTo("poisk.news.r1");
        assertThat(spec.shardCollection(2)).isEqualTo("news-s2");
        assertThatThrownBy(() -> new ShardSpec("n".repeat(61), null, 8, "dot", CollectionOptions.defaults(), 3, 2))
                .isInstanceOf(PoiskException.class).hasMessageContaining("at most 60 characters");
        assertThatThrownBy(() -> new ShardSpec("news", null, 8, "dot", CollectionOptions.defaults(), 65, 2)).hasMessageContaining("'shards'");
    }

    @Test
    void theOffsetFileIsVersionedAndReplacedWhole(@TempDir Path dir) throws Exception {
        ShardOffsetFile file = new ShardOffsetFile(dir, "news-s0");
        assertThat(file.read()).isEqualTo(ShardOffsetFile.NONE);
        file.write(17);
        file.write(42);
        assertThat(file.read()).isEqualTo(42);
        assertThat(Files.readString(dir.resolve("news-s0.offset.json"))).isEqualTo("{\"format\":1,\"offset\":42}");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("news-s0.offset.json");
        }
        Files.writeString(dir.resolve("news-s0.offset.json"), "{\"format\":2,\"offset\":1}");
        assertThatThrownBy(file::read).hasMessageContaining("format 2; this build reads 1");
    }
}
