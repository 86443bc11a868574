package io.poisk.engine;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an acknowledged ingest wrote: how many documents, and for a sharded collection (cluster mode) the highest log
 * offset written per shard, which a later search passes as {@code after} to read its own writes. Empty for a local
 * collection, whose acknowledged writes are searchable at once.
 */
public record IndexReceipt(int indexed, SortedMap<Integer, Long> offsets) {
    public IndexReceipt {
        offsets = offsets == null ? new TreeMap<>() : new TreeMap<>(offsets);
    }

    public static IndexReceipt local(int indexed) {
        return new IndexReceipt(indexed, null);
    }

    /** Both receipts together: counts added, the higher offset per shard. */
    public IndexReceipt plus(IndexReceipt other) {
        TreeMap<Integer, Long> merged = new TreeMap<>(offsets);
        other.offsets.forEach((shard, offset) -> merged.merge(shard, offset, Math::max));
        return new IndexReceipt(indexed + other.indexed, merged);
    }

    /** The offsets for a reply: {"shard": offset}. */
    public Map<String, Long> wireOffsets() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        offsets.forEach((k, v) -> out.put(Integer.toString(k), v));
        return out;
    }
}
