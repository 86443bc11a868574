package io.poisk.cluster;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The cluster-wide, durable list of sharded collections: the log-compacted topic {@value #TOPIC} (one partition),
 * keyed by collection name, a {@link ShardSpec} per live collection and a tombstone per deleted one, which every node
 * reads from the beginning and follows ({@link CompactedTopicView}), so a collection created on one node appears on
 * all, and a full cluster restart keeps them.
 */
final class ShardCatalog implements AutoCloseable {
    static final String TOPIC = "poisk.catalog";

    private final Map<String, ShardSpec> specs = new ConcurrentHashMap<>();
    private final Consumer<ShardSpec> added;
    private final Consumer<ShardSpec> removed;
    private volatile CompactedTopicView view;

    private ShardCatalog(Consumer<ShardSpec> added, Consumer<ShardSpec> removed) {
        this.added = added;
        this.removed = removed;
    }

    /**
     * Creates the topic if needed, reads it to its current end (so this node knows every sharded collection before it
     * serves) and follows it; {@code added} and {@code removed} run on the reader thread for every change.
     */
    static ShardCatalog start(String bootstrap, ShardLog log, Consumer<ShardSpec> added, Consumer<ShardSpec> removed) {
        ShardCatalog catalog = new ShardCatalog(added, removed);
        catalog.view = CompactedTopicView.start(bootstrap, TOPIC, log, catalog::apply);
        return catalog;
    }

    Optional<ShardSpec> get(String name) {
        return Optional.ofNullable(specs.get(name));
    }

    Map<String, ShardSpec> all() {
        return Map.copyOf(specs);
    }

    /** Writes {@code spec} (blocking) and returns once this node's view has it. */
    void put(ShardSpec spec) {
        view.put(spec.name(), spec.toBytes());
    }

    /** Writes the tombstone of {@code name} (blocking) and returns once this node's view dropped it. */
    void remove(String name) {
        view.remove(name);
    }

    private void apply(String name, byte[] value) {
        if (value == null) {
            ShardSpec gone = specs.remove(name);
            if (gone != null) removed.accept(gone);
            return;
        }
        ShardSpec spec = ShardSpec.fromBytes(value);
        ShardSpec before = specs.put(spec.name(), spec);
        if (!spec.equals(before)) added.accept(spec);
    }

    @Override
    public void close() {
        if (view != null) view.close();
    }
}
