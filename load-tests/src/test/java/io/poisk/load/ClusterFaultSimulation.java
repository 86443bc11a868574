package io.poisk.load;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Search and ingest against a cluster while the load script kills a node ({@code load-tests/cluster-fault.sh}).
 * Each request goes to one node of {@code poisk.urls} (rotating); when a node does not answer (the killed one) the
 * same request is sent to the next node, as a client that knows several nodes does, up to once per node. What counts:
 * requests that failed on every node, searches answered with {@code "partial": true}, and every acknowledged
 * document id with the shard offset it was written at, written to {@code acked} (one JSON line each) for
 * {@code cluster_verify.py} to check on every node afterwards.
 *
 * <p>Properties: {@code poisk.urls} (comma-separated node URLs), {@code collection} (xquad), {@code users}
 * (search users, 8), {@code ingestUsers} (2), {@code seconds} (60), {@code mode} (lexical|hybrid|dense, hybrid),
 * {@code k} (10), {@code timeoutMs} (the deadline each request asks for, 10000), {@code acked} (file to write),
 * {@code warmup} (false: true sends every question once through every node first, unmeasured). {@code ingestUsers=0}
 * runs searches alone (the throughput comparison of {@code cluster-throughput.sh}).
 */
public class ClusterFaultSimulation extends Simulation {
    private final List<String> urls = Arrays.stream(System.getProperty("poisk.urls", "http://127.0.0.1:8080").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).map(ClusterFaultSimulation::loopback).toList();
    private final LoadSettings settings = LoadSettings.fromSystemProperties(8);
    private final String collection = System.getProperty("collection", "xquad");
    private final int ingestUsers = Integer.getInteger("ingestUsers", 2);
    private final String mode = System.getProperty("mode", "hybrid");
    private final int k = LoadSettings.positiveInt("k", 10);
    private final int timeoutMs = LoadSettings.positiveInt("timeoutMs", 10_000);
    private final boolean warmup = Boolean.getBoolean("warmup");
    private final LatencySample serverTookMs = new LatencySample();
    private final Path ackedFile = Path.of(System.getProperty("acked", "target/acked.jsonl"));
    private final XquadCorpus corpus = XquadCorpus.load(settings.xquadFile());

    private final AtomicLong nextNode = new AtomicLong();
    private final AtomicLong nextDocument = new AtomicLong();
    private final ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
    private final LongAdder searches = new LongAdder(), searchFailures = new LongAdder(), partials = new LongAdder();
    private final LongAdder ingests = new LongAdder(), ingestFailures = new LongAdder(), retriedOnAnotherNode = new LongAdder();
    private long startNanos;

    {
        HttpProtocolBuilder protocol = http.acceptHeader("application/json").contentTypeHeader("application/json")
                .header("Request-Timeout", String.valueOf(timeoutMs))
                .warmUp(urls.get(0) + "/health");

        ScenarioBuilder search = scenario("search").feed(questions())
                .exec(session -> session.set("node", nextNode.getAndIncrement()))
                .tryMax(urls.size(), "attempt").on(
                        http("search").post(session -> url(session) + "/collections/" + collection + "/search")
                                .body(StringBody(this::searchBody))
                                .check(status().is(200), jsonPath("$.partial").ofBoolean().optional().saveAs("partial"),
                                        jsonPath("$.took_ms").ofLong().optional().saveAs("tookMs")))
                .exec(this::recordSearch);

        ScenarioBuilder ingest = scenario("ingest").feed(documents())
                .exec(session -> session.set("node", nextNode.getAndIncrement()))
                .tryMax(urls.size(), "attempt").on(
                        http("ingest").post(session -> url(session) + "/collections/" + collection + "/documents")
                                .body(StringBody(session -> PoiskAdminClient.toJson(Map.of("documents",
                                        List.of(Map.of("id", session.getString("id"), "text", session.getString("text")))))))
                                .check(status().is(200), jsonPath("$.offsets").saveAs("offsets")))
                .exec(this::recordIngest);

        List<io.gatling.javaapi.core.PopulationBuilder> load = new ArrayList<>();
        load.add(search.injectClosed(constantConcurrentUsers(settings.users()).during(settings.duration())));
        if (ingestUsers > 0) load.add(ingest.injectClosed(constantConcurrentUsers(ingestUsers).during(settings.duration())));
        setUp(load).protocols(protocol);
    }

    @Override
    public void before() {
        if (warmup) warmUp();
        startNanos = System.nanoTime();
        System.out.printf("POISK-CLUSTER-LOAD nodes=%d search_users=%d ingest_users=%d seconds=%d mode=%s%n", urls.size(),
                settings.users(), ingestUsers, settings.duration().toSeconds(), mode);
    }

    @Override
    public void after() {
        try {
            Files.createDirectories(ackedFile.toAbsolutePath().getParent());
            Files.write(ackedFile, new ArrayList<>(acked));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        // one line the script parses: the claims of the run
        System.out.printf("POISK-CLUSTER-RESULT {\"seconds\":%.1f,\"searches\":%d,\"search_failures\":%d,\"partial\":%d,"
                        + "\"ingests\":%d,\"ingest_failures\":%d,\"acknowledged\":%d,\"retried_on_another_node\":%d}%n",
                seconds, searches.sum(), searchFailures.sum(), partials.sum(), ingests.sum(), ingestFailures.sum(), acked.size(),
                retriedOnAnotherNode.sum());
        int n = serverTookMs.count();
        System.out.printf("POISK-CLUSTER-THROUGHPUT searches_per_s=%.2f server_took_ms p50=%d p95=%d p99=%d (%d answered)%n",
                n / seconds, serverTookMs.percentile(50), serverTookMs.percentile(95), serverTookMs.percentile(99), n);
    }

    /** The node of this attempt: the request's first node, then the next one for each retry. */
    private String url(Session session) {
        long attempt = session.contains("attempt") ? session.getInt("attempt") : 0;
        if (attempt > 0) retriedOnAnotherNode.increment();
        return urls.get((int) Math.floorMod(session.getLong("node") + attempt, (long) urls.size()));
    }

    private String searchBody(Session session) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", session.getString("query"));
        body.put("k", k);
        body.put("mode", mode);
        return PoiskAdminClient.toJson(body);
    }

    private Session recordSearch(Session session) {
        searches.increment();
        if (session.isFailed()) searchFailures.increment();
        else if (session.contains("partial") && session.getBoolean("partial")) partials.increment();
        if (!session.isFailed() && session.contains("tookMs")) serverTookMs.record(session.getLong("tookMs"));
        return session.markAsSucceeded().remove("partial").remove("tookMs");
    }

    private Session recordIngest(Session session) {
        ingests.increment();
        if (session.isFailed() || !session.contains("offsets")) {
            ingestFailures.increment();
        } else {
            acked.add("{\"id\":\"" + session.getString("id") + "\",\"offsets\":" + session.getString("offsets") + "}");
        }
        return session.markAsSucceeded().remove("offsets");
    }

    /**
     * Every question once through every node, unmeasured: the JIT, the index and each node's query-embedding cache
     * warm, so that a hybrid load measures retrieval and fan-out rather than inference.
     */
    private void warmUp() {
        long start = System.nanoTime();
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (String url : urls) {
                PoiskAdminClient admin = new PoiskAdminClient(URI.create(url));
                for (XquadCorpus.Question q : corpus.questions()) done.add(pool.submit(() -> admin.search(collection, q.text(), k, mode)));
            }
            for (java.util.concurrent.Future<?> f : done) f.get();
        } catch (Exception e) {
            throw new IllegalStateException("warm-up searches failed: " + e.getMessage(), e);
        }
        System.out.printf("POISK-WARMUP searches=%d seconds=%.1f%n", urls.size() * corpus.questions().size(), (System.nanoTime() - start) / 1e9);
    }

    /** XQuAD-ru questions in a fixed pseudo-random order. */
    private Iterator<Map<String, Object>> questions() {
        SplittableRandom random = new SplittableRandom(20_261_202L);
        List<XquadCorpus.Question> qs = corpus.questions();
        return Stream.generate(() -> Map.<String, Object>of("query", qs.get(random.nextInt(qs.size())).text())).iterator();
    }

    /** New short documents (XQuAD questions as text) with ids no other run of this simulation uses. */
    private Iterator<Map<String, Object>> documents() {
        String run = Long.toString(System.currentTimeMillis(), 36);
        List<XquadCorpus.Question> qs = corpus.questions();
        return Stream.generate(() -> {
            long n = nextDocument.getAndIncrement();
            return Map.<String, Object>of("id", "load-" + run + "-" + n, "text", qs.get((int) (n % qs.size())).text());
        }).iterator();
    }

    private static String loopback(String url) {
        String host = URI.create(url).getHost();
        if (!"127.0.0.1".equals(host) && !"localhost".equals(host)) {
            throw new IllegalArgumentException("poisk.urls must point at 127.0.0.1 or localhost, got " + url);
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
