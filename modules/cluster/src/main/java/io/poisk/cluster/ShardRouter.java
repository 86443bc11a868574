package io.poisk.cluster;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * The shard of a document id: Kafka's own murmur2 of the id's UTF-8 bytes (what its default partitioner does with a
 * key) modulo the shard count. Writes pick their partition with it and reads of an id go to the same shard, so both
 * must use this one function; it never changes for a collection, whose shard count is fixed at create.
 */
public final class ShardRouter {
    private ShardRouter() {
    }

    public static int shard(String id, int shards) {
        if (shards < 1) throw new IllegalArgumentException("shards must be positive: " + shards);
        return Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % shards;
    }
}
