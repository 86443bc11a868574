package io.poisk.cluster;

import io.poisk.core.CollectionName;
import io.poisk.core.CollectionSchema;
import io.poisk.core.PoiskException;
import io.poisk.index.CollectionOptions;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * A sharded collection as the cluster's catalog keeps it: the schema every shard gets (model or none, dimension,
 * similarity), its index options, and the shard and replica counts, fixed at create. Stored as versioned JSON
 * ({@code "format": 1}) under the collection's name in the compacted {@code poisk.catalog} topic.
 */
public record ShardSpec(String name, String model, int dimension, String similarity, CollectionOptions options, int shards,
                        int replicas) {
    static final int FORMAT = 1;
    /** A shard's collection is named {@code <name>-s<k>}: the name leaves room for "-s63" within 64 characters. */
    static final int MAX_NAME = 60;

    public ShardSpec {
        CollectionName.validate(name);
        if (name.length() > MAX_NAME) {
            throw PoiskException.badRequest("a sharded collection's name has at most " + MAX_NAME + " characters (each shard is a"
                    + " collection named <name>-s<shard>), got " + name.length());
        }
        if (shards < 1 || shards > 64) throw PoiskException.badRequest("'shards' must be between 1 and 64, got " + shards);
        if (replicas < 1 || replicas > 8) throw PoiskException.badRequest("'replicas' must be between 1 and 8, got " + replicas);
        options = CollectionOptions.fromMap(options.toMap()); // as stored: defaults spelled out, so equal specs compare equal
    }

    /** The Kafka topic of the collection's documents: partition k is shard k. */
    public String topic() {
        return "poisk.collection." + name;
    }

    /** The consumer group of replica group {@code g}: Kafka spreads the shards over its live members. */
    public String group(int g) {
        return "poisk." + name + ".r" + g;
    }

    /** The local collection that holds shard {@code k} on a node (never in users' listings: the shard engine's own). */
    public String shardCollection(int k) {
        return name + "-s" + k;
    }

    public CollectionSchema schema() {
        return new CollectionSchema(name, model, dimension, similarity);
    }

    byte[] toBytes() {
        return new JsonObject().put("format", FORMAT).put("name", name).put("model", model).put("dimension", dimension)
                .put("similarity", similarity).put("options", new JsonObject(options.toMap())).put("shards", shards)
                .put("replicas", replicas).encode().getBytes(StandardCharsets.UTF_8);
    }

    static ShardSpec fromBytes(byte[] bytes) {
        JsonObject j = new JsonObject(new String(bytes, StandardCharsets.UTF_8));
        int format = j.getInteger("format", 0);
        if (format != FORMAT) throw new IllegalArgumentException("catalog entry of format " + format + "; this build reads " + FORMAT);
        return new ShardSpec(j.getString("name"), j.getString("model"), j.getInteger("dimension"), j.getString("similarity"),
                CollectionOptions.fromMap(j.getJsonObject("options").getMap()), j.getInteger("shards"), j.getInteger("replicas"));
    }
}
