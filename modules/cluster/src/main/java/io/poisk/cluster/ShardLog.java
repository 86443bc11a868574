package io.poisk.cluster;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The write side of sharded collections: one idempotent producer with {@code acks=all} (a record is acknowledged
 * once every in-sync replica has it, and a retried send is never written twice) and an Admin client for topics. Sends
 * run on one thread of their own: {@code send} blocks while it fetches metadata, which no event loop may wait for.
 */
final class ShardLog implements AutoCloseable {
    /** How long an acknowledgement may take before the write fails (503): Kafka retries within it. */
    static final int DELIVERY_TIMEOUT_MS = 30_000;
    private static final int ADMIN_TIMEOUT_MS = 30_000;

    private final KafkaProducer<String, byte[]> producer;
    private final Admin admin;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "poisk-shard-log");
        t.setDaemon(true);
        return t;
    });

    ShardLog(String bootstrap) {
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000, ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024),
                new StringSerializer(), new ByteArraySerializer());
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ADMIN_TIMEOUT_MS));
    }

    /** One record: its partition (shard), key (document id or collection name) and value (null: a tombstone). */
    record Entry(int partition, String key, byte[] value) {
    }

    /**
     * Sends every entry to {@code topic} and completes, once Kafka acknowledged all of them, with the highest offset
     * written per partition; fails UNAVAILABLE (503) when Kafka does not acknowledge in time.
     */
    CompletableFuture<SortedMap<Integer, Long>> write(String topic, List<Entry> entries) {
        CompletableFuture<SortedMap<Integer, Long>> done = new CompletableFuture<>();
        SortedMap<Integer, Long> offsets = new TreeMap<>();
        AtomicInteger pending = new AtomicInteger(entries.size());
        if (entries.isEmpty()) return CompletableFuture.completedFuture(offsets);
        try {
            sender.execute(() -> {
                try {
                    for (Entry e : entries) {
                        producer.send(new ProducerRecord<>(topic, e.partition(), e.key(), e.value()), (meta, failure) -> {
                            if (failure != null) {
                                done.completeExceptionally(new PoiskException(ErrorCode.UNAVAILABLE, "Kafka did not acknowledge the write to "
                                        + topic + ": " + failure.getMessage()));
                                return;
                            }
                            synchronized (offsets) {
                                offsets.merge(meta.partition(), meta.offset(), Math::max);
                            }
                            if (pending.decrementAndGet() == 0) {
                                synchronized (offsets) {
                                    done.complete(new TreeMap<>(offsets));
                                }
                            }
                        });
                    }
                } catch (RuntimeException e) {
                    done.completeExceptionally(new PoiskException(ErrorCode.UNAVAILABLE, "cannot write to Kafka topic " + topic + ": "
                            + e.getMessage()));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new PoiskException(ErrorCode.UNAVAILABLE, "the node is shutting down"));
        }
        return done;
    }

    /**
     * Creates a log-compacted topic of {@code partitions} partitions (the broker's default replication factor); a
     * topic that exists already with that many partitions is fine (a create retried after a crash). Blocking.
     */
    void createCompactedTopic(String topic, int partitions) {
        NewTopic t = new NewTopic(topic, Optional.of(partitions), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        try {
            admin.createTopics(List.of(t)).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw unavailable("creating topic " + topic, e.getCause());
            int existing = partitions(topic);
            if (existing != partitions) {
                throw new PoiskException(ErrorCode.COLLECTION_EXISTS, "Kafka topic " + topic + " exists with " + existing
                        + " partitions, not " + partitions + "; delete it or choose another name");
            }
        } catch (Exception e) {
            throw unavailable("creating topic " + topic, e);
        }
        awaitLeaders(topic, partitions);
    }

    /**
     * Waits until every partition's leader has its log: the controller acknowledges a new topic before the broker
     * created the partitions, and the idempotent producer's first batch sent into that gap came back as an error
     * though appended, then was refused as out of order on every retry until the delivery timeout (seen in CI). A
     * latest-offset lookup succeeds only once the leader serves the partition. Blocking, bounded.
     */
    private void awaitLeaders(String topic, int partitions) {
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> all = new java.util.HashMap<>();
        for (int p = 0; p < partitions; p++) {
            all.put(new org.apache.kafka.common.TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ADMIN_TIMEOUT_MS);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                admin.listOffsets(all).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw unavailable("waiting for topic " + topic, e);
            } catch (Exception e) {
                last = e;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw unavailable("waiting for topic " + topic, ie);
                }
            }
        }
        throw unavailable("waiting for the partitions of topic " + topic, last != null ? last : new java.util.concurrent.TimeoutException());
    }

    /** Deletes {@code topic}; an absent one is fine. Blocking. */
    void deleteTopic(String topic) {
        try {
            admin.deleteTopics(List.of(topic)).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) throw unavailable("deleting topic " + topic, e.getCause());
        } catch (Exception e) {
            throw unavailable("deleting topic " + topic, e);
        }
    }

    private int partitions(String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size();
        } catch (Exception e) {
            throw unavailable("describing topic " + topic, e);
        }
    }

    private static PoiskException unavailable(String what, Throwable e) {
        if (e instanceof InterruptedException) Thread.currentThread().interrupt();
        return new PoiskException(ErrorCode.UNAVAILABLE, what + " failed: " + e.getMessage());
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(2));
    }
}
