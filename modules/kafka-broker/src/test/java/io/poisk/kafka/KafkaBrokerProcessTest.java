package io.poisk.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker as ops/cluster/up runs it: {@link KafkaBroker#main} in a child JVM. A topic is created, records are
 * produced with acks=all and read back in order, SIGTERM stops the broker within a bound, and a broker started
 * again on the same folder serves every acknowledged record.
 */
@Tag("process")
class KafkaBrokerProcessTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void startsFromTheMavenArtifactProducesAndConsumesAndStops(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("broker.log");
        Process broker = startBroker(dir, log);
        try {
            long t0 = System.nanoTime();
            String ready = readyLine(broker, Duration.ofSeconds(60), log);
            long startMs = (System.nanoTime() - t0) / 1_000_000;
            String bootstrap = ready.replaceAll(".*\"bootstrap\":\"([^\"]+)\".*", "$1");
            assertThat(bootstrap).startsWith("127.0.0.1:");
            assertThat(ready).contains("\"pid\":" + broker.pid());

            String topic = "poisk-probe";
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains(topic);
            }

            int n = 50;
            List<Long> offsets = new ArrayList<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < n; i++) {
                    RecordMetadata m = producer.send(new ProducerRecord<>(topic, "doc-" + i, "text " + i)).get(30, TimeUnit.SECONDS);
                    offsets.add(m.offset());
                }
            }
            assertThat(offsets).first().isEqualTo(0L);
            assertThat(offsets).last().isEqualTo((long) n - 1);

            List<String> read = readAll(bootstrap, topic, n);
            assertThat(read).hasSize(n);
            assertThat(read.get(0)).isEqualTo("doc-0=text 0");
            assertThat(read.get(n - 1)).isEqualTo("doc-" + (n - 1) + "=text " + (n - 1));
            assertThat(dir.resolve("kafka/logs/" + topic + "-0")).isDirectory();

            long t1 = System.nanoTime();
            broker.destroy(); // SIGTERM: Kafka's controlled shutdown in the shutdown hook
            assertThat(broker.waitFor(30, TimeUnit.SECONDS)).as("broker stops within 30 s of SIGTERM").isTrue();
            long stopMs = (System.nanoTime() - t1) / 1_000_000;

            // started again on the same folder (not formatted again): the acknowledged records are all there
            broker = startBroker(dir, log);
            long t2 = System.nanoTime();
            String again = readyLine(broker, Duration.ofSeconds(60), log);
            long restartMs = (System.nanoTime() - t2) / 1_000_000;
            List<String> reread = readAll(again.replaceAll(".*\"bootstrap\":\"([^\"]+)\".*", "$1"), topic, n);
            assertThat(reread).isEqualTo(read);
            broker.destroy();
            assertThat(broker.waitFor(30, TimeUnit.SECONDS)).isTrue();
            System.out.printf("kafka broker: ready in %d ms, %d records acks=all produced and read back, stopped in %d ms,"
                    + " restarted on the same folder in %d ms with all %d records%n", startMs, n, stopMs, restartMs, reread.size());
        } finally {
            if (broker.isAlive()) broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {@link KafkaBroker#main} in a child JVM on {@code dir/kafka}, its log (stderr) appended to {@code log}. */
    private static Process startBroker(Path dir, Path log) throws java.io.IOException {
        return new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), KafkaBroker.class.getName(), "--dir", dir.resolve("kafka").toString())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** The first {@code n} records of partition 0 as key=value, read from the beginning, at most 30 s. */
    private static List<String> readAll(String bootstrap, String topic, int n) {
        List<String> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition p0 = new TopicPartition(topic, 0);
            consumer.assign(Set.of(p0));
            consumer.seekToBeginning(Set.of(p0));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) read.add(r.key() + "=" + r.value());
            }
        }
        return read;
    }

    /** The broker's ready line on its standard output, read on another thread so the wait is bounded. */
    private static String readyLine(Process broker, Duration timeout, Path log) throws Exception {
        var line = new java.util.concurrent.CompletableFuture<String>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                    if (l.startsWith(KafkaBroker.READY_PREFIX)) line.complete(l);
                }
                line.completeExceptionally(new IllegalStateException("broker exited before it was ready"));
            } catch (Exception e) {
                line.completeExceptionally(e);
            }
        }, "broker-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            return line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            String tail = Files.exists(log) ? Files.readString(log) : "";
            throw new AssertionError("broker not ready: " + e + "\n" + tail.substring(Math.max(0, tail.length() - 4000)), e);
        }
    }
}
