package io.poisk.cluster;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The cluster-wide, durable list of sharded collections: the log-compacted topic {@value #TOPIC} (one partition),
 * keyed by collection name, a {@link ShardSpec} per live collection and a tombstone per deleted one. Every node reads
 * it from the beginning on its own thread (no consumer group: each node needs all of it) and keeps following it, so a
 * collection created on one node appears on all, and a full cluster restart keeps them.
 */
final class ShardCatalog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardCatalog.class);
    static final String TOPIC = "poisk.catalog";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    /** How long a write waits to see itself in this node's view (the topic is read continuously). */
    private static final long SEE_TIMEOUT_MS = 30_000;

    private final Map<String, ShardSpec> specs = new ConcurrentHashMap<>();
    private final ShardLog log;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Consumer<ShardSpec> added;
    private final Consumer<ShardSpec> removed;
    private final Thread reader;
    private volatile long position;
    private volatile boolean running = true;

    private ShardCatalog(String bootstrap, ShardLog log, Consumer<ShardSpec> added, Consumer<ShardSpec> removed) {
        this.log = log;
        this.added = added;
        this.removed = removed;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.reader = new Thread(this::read, "poisk-shard-catalog");
        this.reader.setDaemon(true);
    }

    /**
     * Creates the topic if needed, reads it to its current end (so this node knows every sharded collection before it
     * serves) and follows it; {@code added} and {@code removed} run on the reader thread for every change.
     */
    static ShardCatalog start(String bootstrap, ShardLog log, Consumer<ShardSpec> added, Consumer<ShardSpec> removed) {
        log.createCompactedTopic(TOPIC, 1);
        ShardCatalog catalog = new ShardCatalog(bootstrap, log, added, removed);
        catalog.consumer.assign(List.of(PARTITION));
        catalog.consumer.seekToBeginning(List.of(PARTITION));
        long end = catalog.consumer.endOffsets(List.of(PARTITION), Duration.ofSeconds(30)).get(PARTITION);
        catalog.reader.start();
        catalog.awaitPosition(end);
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
        long offset = writeAndWait(spec.name(), spec.toBytes());
        awaitPosition(offset + 1);
    }

    /** Writes the tombstone of {@code name} (blocking) and returns once this node's view dropped it. */
    void remove(String name) {
        long offset = writeAndWait(name, null);
        awaitPosition(offset + 1);
    }

    private long writeAndWait(String key, byte[] value) {
        try {
            return log.write(TOPIC, List.of(new ShardLog.Entry(0, key, value))).get(ShardLog.DELIVERY_TIMEOUT_MS + 5000L,
                    TimeUnit.MILLISECONDS).get(0);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof PoiskException p ? p : new PoiskException(ErrorCode.UNAVAILABLE, e.getCause().getMessage());
        } catch (Exception e) {
            throw new PoiskException(ErrorCode.UNAVAILABLE, "writing the sharded collections' catalog failed: " + e);
        }
    }

    private void awaitPosition(long offset) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEE_TIMEOUT_MS);
        while (position < offset) {
            if (System.nanoTime() > deadline) {
                throw new PoiskException(ErrorCode.UNAVAILABLE, "the catalog of sharded collections (" + TOPIC + ") was not read to offset "
                        + offset + " within " + SEE_TIMEOUT_MS + " ms");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PoiskException(ErrorCode.UNAVAILABLE, "interrupted");
            }
        }
    }

    private void read() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) apply(r);
                position = consumer.position(PARTITION);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("reading the catalog of sharded collections stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        try {
            if (r.value() == null) {
                ShardSpec gone = specs.remove(r.key());
                if (gone != null) removed.accept(gone);
                return;
            }
            ShardSpec spec = ShardSpec.fromBytes(r.value());
            ShardSpec before = specs.put(spec.name(), spec);
            if (!spec.equals(before)) added.accept(spec);
        } catch (RuntimeException e) {
            LOG.error("catalog entry '{}' at offset {} is not usable; skipped", r.key(), r.offset(), e);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
