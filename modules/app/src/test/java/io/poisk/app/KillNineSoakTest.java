package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code poisk serve} (its own JVM, the default model) is killed with SIGKILL at random moments while
 * clients upsert, overwrite and delete documents over HTTP, with a small live segment so that flushes
 * and merges run under the kills. After each restart every document must be in a state the clients
 * could have caused: what was acknowledged exactly, what was in flight at the kill either way.
 */
@Tag("process")
class KillNineSoakTest {
    private static final Logger LOG = LoggerFactory.getLogger(KillNineSoakTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLLECTION = "soak";
    private static final String ABSENT = "\u0000absent";
    private static final int WRITERS = 2;

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Per document id, the states it may be in: one once acknowledged, two while a request was in flight at a kill. */
    private final Map<String, Set<String>> allowed = new ConcurrentHashMap<>();
    /** Writes in flight at a kill, found after the restart as one of their two states. */
    private int inFlightAtKill;

    @Test
    void killedServerLosesNoAcknowledgedWrite() throws Exception {
        soak(Integer.getInteger("poisk.soak.cycles", 4), 42);
    }

    @Test
    @Tag("slow")
    void hundredKillsLoseNoAcknowledgedWrite() throws Exception {
        soak(100, 7);
    }

    private void soak(int cycles, long seed) throws Exception {
        Random random = new Random(seed);
        Path data = tmp.resolve("data");
        Map<String, String> env = Map.of("POISK_INDEX_LIVE_SEGMENT_MAX_DOCS", "150", "POISK_INDEX_MERGE_MAX_SEGMENTS", "2",
                "POISK_INDEX_PQ_MIN_VECTORS", "100000");
        int acknowledged = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            try (ServerProcess server = ServerProcess.start(data, tmp.resolve("server.log"), env)) {
                if (cycle == 0) {
                    HttpResponse<String> r = send(server, "PUT", "/collections/" + COLLECTION, "{\"fields\":{\"n\":\"long\"}}");
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                }
                verify(server, cycle);
                acknowledged += writeUntilKilled(server, cycle, 800 + random.nextInt(2500));
            }
        }
        try (ServerProcess server = ServerProcess.start(data, tmp.resolve("server.log"), env)) {
            verify(server, cycles);
            long present = allowed.values().stream().filter(s -> s.size() == 1 && !s.contains(ABSENT)).count();
            JsonNode info = JSON.readTree(send(server, "GET", "/collections/" + COLLECTION, null).body());
            assertThat(info.path("documents").asLong()).as("document count in %s", info).isEqualTo(present);
            LOG.info("{} kills: {} acknowledged writes, {} ids, {} writes in flight at a kill; {} documents present",
                    cycles, acknowledged, allowed.size(), inFlightAtKill, present);
        }
    }

    /** Runs the writers until {@code millis} after their first acknowledgement, then kills the server; returns the writes acknowledged. */
    private int writeUntilKilled(ServerProcess server, int cycle, long millis) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acks = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(pool.submit(() -> write(server, cycle, writer, stop, acks)));
        }
        // The model loads on the first write after a start; the kill comes a random time after the first acknowledgement.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (acks.get() == 0 && System.nanoTime() < deadline && writers.stream().noneMatch(Future::isDone)) Thread.sleep(20);
        Thread.sleep(millis);
        server.kill();
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        for (Future<?> f : writers) f.get();
        return acks.get();
    }

    /** One writer: ids of its own (so the writes to one id are ordered), batches of new ids, overwrites and deletes. */
    private void write(ServerProcess server, int cycle, int writer, AtomicBoolean stop, AtomicInteger acks) {
        Random random = new Random(cycle * 31L + writer);
        List<String> mine = new ArrayList<>();
        for (int i = 0; !stop.get(); i++) {
            int op = random.nextInt(10);
            List<String> ids = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            String method = "POST";
            if (op < 7 || mine.isEmpty()) {
                for (int d = 0; d < 1 + random.nextInt(8); d++) {
                    String id = "c" + cycle + "-w" + writer + "-" + i + "-" + d;
                    ids.add(id);
                    texts.add("document " + key(id) + " about topic " + (i % 7) + " version 1");
                }
            } else {
                String id = mine.get(random.nextInt(mine.size()));
                ids.add(id);
                if (op < 9) {
                    texts.add("document " + key(id) + " rewritten at step " + i);
                } else {
                    method = "DELETE";
                    texts.add(ABSENT);
                }
            }
            for (int d = 0; d < ids.size(); d++) allowed.computeIfAbsent(ids.get(d), KillNineSoakTest::neverWritten).add(texts.get(d));
            try {
                HttpResponse<String> r = "DELETE".equals(method)
                        ? send(server, "DELETE", "/collections/" + COLLECTION + "/documents/" + enc(ids.get(0)), null)
                        : send(server, "POST", "/collections/" + COLLECTION + "/documents", batch(ids, texts));
                if (r.statusCode() / 100 != 2 && r.statusCode() != 404) {
                    throw new AssertionError(method + " answered " + r.statusCode() + ": " + r.body());
                }
                for (int d = 0; d < ids.size(); d++) {
                    Set<String> states = allowed.get(ids.get(d));
                    states.retainAll(Set.of(texts.get(d)));
                    if (!ABSENT.equals(texts.get(d)) && !mine.contains(ids.get(d))) mine.add(ids.get(d));
                }
                acks.addAndGet(ids.size());
            } catch (java.io.IOException killed) {
                return; // the server died with this request in flight: both states stay allowed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Every id ever written is in one of its allowed states; in-flight ones are then settled to what is there. */
    private void verify(ServerProcess server, int cycle) throws Exception {
        for (Map.Entry<String, Set<String>> e : allowed.entrySet()) {
            HttpResponse<String> r = send(server, "GET", "/collections/" + COLLECTION + "/documents/" + enc(e.getKey()), null);
            String state = switch (r.statusCode()) {
                case 200 -> JSON.readTree(r.body()).path("text").asText();
                case 404 -> {
                    assertThat(r.body()).as("after restart %d", cycle).contains("document_not_found");
                    yield ABSENT;
                }
                default -> throw new AssertionError("GET " + e.getKey() + " answered " + r.statusCode() + ": " + r.body());
            };
            assertThat(e.getValue()).as("after restart %d, document %s is %s", cycle, e.getKey(),
                    ABSENT.equals(state) ? "absent" : "'" + state + "'").contains(state);
            if (e.getValue().size() > 1) inFlightAtKill++;
            e.getValue().retainAll(Set.of(state));
        }
        // The data is searchable, not only stored: a lexical query for one live document finds it.
        allowed.entrySet().stream().filter(e -> !e.getValue().contains(ABSENT)).findAny().ifPresent(e -> {
            try {
                String body = JSON.writeValueAsString(Map.of("query", key(e.getKey()), "mode", "lexical", "k", 3));
                JsonNode hits = JSON.readTree(send(server, "POST", "/collections/" + COLLECTION + "/search", body).body()).path("hits");
                List<String> ids = new ArrayList<>();
                hits.forEach(h -> ids.add(h.path("id").asText()));
                assertThat(ids).as("lexical search for %s after restart %d", e.getKey(), cycle).contains(e.getKey());
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
    }

    /** The id as one word for the lexical analyzer (which splits on '-'), so a search for it finds its document alone. */
    private static String key(String id) {
        return "key" + id.replace('-', 'x');
    }

    /** A new id's state before its first write: absent (it stays allowed until the write is acknowledged). */
    private static Set<String> neverWritten(String id) {
        Set<String> states = ConcurrentHashMap.newKeySet();
        states.add(ABSENT);
        return states;
    }

    private static String batch(List<String> ids, List<String> texts) throws java.io.IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (int d = 0; d < ids.size(); d++) docs.add(Map.of("id", ids.get(d), "text", texts.get(d), "fields", Map.of("n", d)));
        return JSON.writeValueAsString(Map.of("documents", docs));
    }

    private HttpResponse<String> send(ServerProcess server, String method, String path, String body) throws java.io.IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60));
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
