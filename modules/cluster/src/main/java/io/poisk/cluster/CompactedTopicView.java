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
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Every node's view of a small cluster-wide table kept in a log-compacted topic of one partition, keyed by entry
 * name: a value per live entry, a tombstone per removed one. Each node reads the topic from the beginning on its own
 * thread (no consumer group: each node needs all of it) and keeps following it, so an entry written on one node reaches
 * all, and a full cluster restart keeps the table. The sharded collections' catalog and the API keys use it.
 */
final class CompactedTopicView implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicView.class);
    /** How long a write waits to see itself in this node's view (the topic is read continuously). */
    private static final long SEE_TIMEOUT_MS = 30_000;

    private final String topic;
    private final TopicPartition partition;
    private final ShardLog log;
    private final KafkaConsumer<String, byte[]> consumer;
    private final BiConsumer<String, byte[]> changed;
    private final Thread reader;
    private volatile long position;
    private volatile boolean running = true;

    private CompactedTopicView(String bootstrap, String topic, ShardLog log, BiConsumer<String, byte[]> changed) {
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.log = log;
        this.changed = changed;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false /* topics are created explicitly, with their partitions */),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.reader = new Thread(this::read, "poisk-topic-" + topic);
        this.reader.setDaemon(true);
    }

    /**
     * Creates the topic if needed, reads it to its current end (so this node knows the whole table before it serves)
     * and follows it; {@code changed} runs on the reader thread for every record, with a null value for a tombstone.
     * A record {@code changed} throws on is logged and skipped.
     */
    static CompactedTopicView start(String bootstrap, String topic, ShardLog log, BiConsumer<String, byte[]> changed) {
        log.createCompactedTopic(topic, 1);
        CompactedTopicView view = new CompactedTopicView(bootstrap, topic, log, changed);
        view.consumer.assign(List.of(view.partition));
        view.consumer.seekToBeginning(List.of(view.partition));
        long end = view.consumer.endOffsets(List.of(view.partition), Duration.ofSeconds(30)).get(view.partition);
        view.reader.start();
        view.awaitPosition(end);
        return view;
    }

    /** Writes {@code value} under {@code key} (blocking, acks=all) and returns once this node's view has applied it. */
    void put(String key, byte[] value) {
        awaitPosition(writeAndWait(key, value) + 1);
    }

    /** Writes the tombstone of {@code key} (blocking) and returns once this node's view has applied it. */
    void remove(String key) {
        awaitPosition(writeAndWait(key, null) + 1);
    }

    /**
     * Writes {@code value} (null: a tombstone) under {@code key} and returns once Kafka acknowledged it (acks=all),
     * without waiting for this node's view: for a caller that holds a lock the reader thread's callback needs.
     */
    void write(String key, byte[] value) {
        writeAndWait(key, value);
    }

    private long writeAndWait(String key, byte[] value) {
        try {
            return log.write(topic, List.of(new ShardLog.Entry(0, key, value))).get(ShardLog.DELIVERY_TIMEOUT_MS + 5000L,
                    TimeUnit.MILLISECONDS).get(0);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof PoiskException p ? p : new PoiskException(ErrorCode.UNAVAILABLE, e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PoiskException(ErrorCode.UNAVAILABLE, "interrupted while writing to " + topic);
        } catch (Exception e) {
            throw new PoiskException(ErrorCode.UNAVAILABLE, "writing to " + topic + " failed: " + e);
        }
    }

    private void awaitPosition(long offset) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SEE_TIMEOUT_MS);
        while (position < offset) {
            if (System.nanoTime() > deadline) {
                throw new PoiskException(ErrorCode.UNAVAILABLE, topic + " was not read to offset " + offset + " within "
                        + SEE_TIMEOUT_MS + " ms");
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
                position = consumer.position(partition);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("reading {} stopped", topic, e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        try {
            changed.accept(r.key(), r.value());
        } catch (RuntimeException e) {
            LOG.error("entry '{}' of {} at offset {} is not usable; skipped", r.key(), topic, r.offset(), e);
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
