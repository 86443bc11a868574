package io.poisk.cluster;

import io.poisk.engine.PoiskEngine;
import io.poisk.index.EmbeddedDocument;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's membership in one replica group of one sharded collection: a Kafka consumer (group
 * {@link ShardSpec#group}) on a thread of its own, which materialises every shard Kafka assigns it as a local
 * collection of the shard engine ({@link ShardSpec#shardCollection}), applying records in log order with the vectors
 * they carry (no inference) and keeping the applied offset durable beside the shard ({@link ShardOffsetFile}).
 * On assignment it resumes after its stored offset, or reads from the beginning without a copy; on revocation it
 * stops applying and keeps the copy. Offsets are never committed to Kafka: the local copy is the truth.
 */
final class ShardReplica implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardReplica.class);
    /**
     * A member that stops heartbeating (kill -9, a partition) loses its shards after this long; the broker's
     * group.min.session.timeout.ms (6 s by default) is the floor. A clean close leaves the group at once.
     */
    static final int SESSION_TIMEOUT_MS = 6000;
    private static final long APPLY_TIMEOUT_S = 60;

    /** Tells where this node's shard copies stand (the placement map), from the consumer thread. */
    interface Listener {
        void state(int shard, long offset, boolean ready);

        void released(int shard);
    }

    /** A shard this node holds now: the offset applied and whether it has caught up. */
    static final class Held {
        final int shard;
        final long endAtAssignment;
        volatile long applied;
        volatile boolean ready;

        Held(int shard, long applied, long endAtAssignment) {
            this.shard = shard;
            this.applied = applied;
            this.endAtAssignment = endAtAssignment;
        }
    }

    private final ShardSpec spec;
    private final PoiskEngine shards;
    private final Path offsetsDir;
    private final Listener listener;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<Integer, Held> held = new ConcurrentHashMap<>();
    private final LongAdder appliedRecords = new LongAdder();
    private final Thread thread;
    private volatile boolean running = true;

    ShardReplica(ShardSpec spec, int group, String bootstrap, PoiskEngine shards, Path offsetsDir, Listener listener) {
        this.spec = spec;
        this.shards = shards;
        this.offsetsDir = offsetsDir;
        this.listener = listener;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, spec.group(group), ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false /* topics are created explicitly, with their partitions */,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500,
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName()),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "poisk-shard-" + spec.name() + "-r" + group);
        this.thread.setDaemon(true);
    }

    ShardReplica start() {
        thread.start();
        return this;
    }

    Optional<Held> held(int shard) {
        return Optional.ofNullable(held.get(shard));
    }

    /** Records applied since this replica started (tests: a restart applies only the tail). */
    long appliedRecords() {
        return appliedRecords.sum();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(spec.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    partitions.forEach(ShardReplica.this::assigned);
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(ShardReplica.this::released);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    partitions.forEach(ShardReplica.this::released);
                }
            });
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (TopicPartition tp : records.partitions()) apply(tp, records.records(tp));
                for (Held h : held.values()) if (!h.ready) checkReady(h);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (running) LOG.error("replica of {} stopped", spec.name(), e);
        } finally {
            held.keySet().forEach(listener::released);
            held.clear();
            consumer.close(Duration.ofSeconds(5)); // leaves the group: Kafka moves the shards at once
        }
    }

    private void assigned(TopicPartition tp) {
        int k = tp.partition();
        ensureCollection(k);
        long stored = new ShardOffsetFile(offsetsDir, spec.shardCollection(k)).read();
        if (stored == ShardOffsetFile.NONE) consumer.seekToBeginning(List.of(tp));
        else consumer.seek(tp, stored + 1);
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        Held h = new Held(k, stored, end);
        held.put(k, h);
        LOG.info("{}: holding shard {} from offset {} (partition end {})", spec.name(), k, stored + 1, end);
        checkReady(h);
        if (!h.ready) listener.state(k, h.applied, false);
    }

    private void released(TopicPartition tp) {
        if (held.remove(tp.partition()) != null) {
            LOG.info("{}: shard {} moved away from this node (its copy is kept)", spec.name(), tp.partition());
            listener.released(tp.partition());
        }
    }

    private void checkReady(Held h) {
        long position = consumer.position(new TopicPartition(spec.topic(), h.shard));
        if (position - 1 > h.applied) h.applied = position - 1; // compacted-away offsets count as applied
        if (position >= h.endAtAssignment) {
            h.ready = true;
            listener.state(h.shard, h.applied, true);
        }
    }

    /**
     * Applies one partition's records in order (runs of upserts as one write, a tombstone as a delete), then makes
     * the offset durable. A failed write seeks back to the batch's first record and is retried at the next poll.
     */
    private void apply(TopicPartition tp, List<ConsumerRecord<String, byte[]>> records) {
        Held h = held.get(tp.partition());
        if (h == null || records.isEmpty()) return;
        String collection = spec.shardCollection(tp.partition());
        try {
            List<EmbeddedDocument> upserts = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                if (r.value() == null) {
                    flush(collection, upserts);
                    shards.deleteDocument(collection, r.key()).get(APPLY_TIMEOUT_S, TimeUnit.SECONDS);
                } else {
                    try {
                        upserts.add(ShardRecordCodec.decode(r.value()));
                    } catch (RuntimeException e) {
                        LOG.error("{}: record at offset {} of shard {} is not a document; skipped", spec.name(), r.offset(), tp.partition(), e);
                    }
                }
            }
            flush(collection, upserts);
            long last = records.getLast().offset();
            new ShardOffsetFile(offsetsDir, collection).write(last);
            appliedRecords.add(records.size());
            h.applied = last;
            if (h.ready) listener.state(h.shard, last, true);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            LOG.warn("{}: applying shard {} from offset {} failed; retrying", spec.name(), tp.partition(), records.getFirst().offset(), e);
            consumer.seek(tp, records.getFirst().offset());
            sleepQuietly(500);
        }
    }

    /**
     * Upserts a run of documents; when the index refuses one (a 4xx: a record the receiving node's checks let through,
     * e.g. written by another build), they are applied one by one and the refused ones are logged and skipped, so one
     * record never stops its shard. Other failures propagate (the batch is retried).
     */
    private void flush(String collection, List<EmbeddedDocument> upserts) throws Exception {
        if (upserts.isEmpty()) return;
        try {
            shards.indexEmbedded(collection, List.copyOf(upserts)).get(APPLY_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!refused(e.getCause())) throw e;
            for (EmbeddedDocument d : upserts) {
                try {
                    shards.indexEmbedded(collection, List.of(d)).get(APPLY_TIMEOUT_S, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException one) {
                    if (!refused(one.getCause())) throw one;
                    LOG.error("{}: document '{}' refused by the index of {}; skipped: {}", spec.name(), d.document().id(), collection,
                            one.getCause().getMessage());
                }
            }
        }
        upserts.clear();
    }

    private static boolean refused(Throwable e) {
        return e instanceof io.poisk.core.PoiskException p && p.code().httpStatus() >= 400 && p.code().httpStatus() < 500;
    }

    /** The shard's local collection, created with the collection's schema and options if this node has no copy. */
    private void ensureCollection(int k) {
        try {
            String name = spec.shardCollection(k);
            if (spec.model() == null) {
                shards.createCollectionWithoutModel(name, spec.dimension(), io.poisk.core.Similarity.parse(spec.similarity()), spec.options())
                        .get(APPLY_TIMEOUT_S, TimeUnit.SECONDS);
            } else {
                shards.createCollection(name, spec.model(), spec.options()).get(APPLY_TIMEOUT_S, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException("cannot open the copy of shard " + k + " of " + spec.name() + ": " + e.getMessage(), e);
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
