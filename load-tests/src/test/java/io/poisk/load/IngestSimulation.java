package io.poisk.load;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Ingest under a closed load: {@code users} virtual users (default 2) each post one batch of
 * {@code batch} new documents at a time to {@code POST /collections/{collection}/documents}, for
 * {@code seconds}, as a JSON body ({@code format=json}) or an NDJSON stream ({@code format=ndjson}).
 *
 * <p>Documents are 2-5 consecutive XQuAD-ru sentences, so lengths and vocabulary are those of the
 * search corpus; every id is new, so each acknowledged document is a real insert. At the end the
 * simulation counts the collection's documents over HTTP and prints the server-side docs/s
 * (documents added / load duration) beside the number Gatling's OK responses promised.
 *
 * <p>Properties: {@code poisk.url}, {@code users}, {@code seconds}, {@code format} (json),
 * {@code batch} (32), {@code collection} (load-ingest, created if missing).
 */
public class IngestSimulation extends Simulation {
    private final LoadSettings settings = LoadSettings.fromSystemProperties(2);
    private final String format = System.getProperty("format", "json");
    private final int batch = LoadSettings.positiveInt("batch", 32);
    private final String collection = System.getProperty("collection", "load-ingest");
    private final List<String> sentences = XquadCorpus.load(settings.xquadFile()).sentences();
    private final PoiskAdminClient admin = new PoiskAdminClient(settings.baseUrl());

    private final AtomicLong nextDocument = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final long runId = System.currentTimeMillis();
    private long documentsBefore;
    private long loadStartNanos;

    {
        if (!format.equals("json") && !format.equals("ndjson")) {
            throw new IllegalArgumentException("format must be json or ndjson, got " + format);
        }
        HttpProtocolBuilder protocol = http.baseUrl(settings.url())
                .acceptHeader("application/json")
                .shareConnections()
                .warmUp(settings.url() + "/health");

        HttpRequestActionBuilder post = http("ingest " + format + " x" + batch)
                .post("/collections/" + collection + "/documents")
                .header("content-type", format.equals("json") ? "application/json" : "application/x-ndjson")
                .body(StringBody(this::batchBody))
                .check(status().is(200), jsonPath("$.indexed").ofInt().is(batch).saveAs("indexed"));

        ScenarioBuilder ingest = scenario("ingest " + format).exec(post).exec(this::countAcknowledged);

        setUp(ingest.injectClosed(constantConcurrentUsers(settings.users()).during(settings.duration())))
                .protocols(protocol)
                .assertions(global().successfulRequests().percent().gte(99.0));
    }

    @Override
    public void before() {
        admin.createCollection(collection);
        documentsBefore = Math.max(0, admin.documentCount(collection));
        loadStartNanos = System.nanoTime();
    }

    @Override
    public void after() {
        double seconds = (System.nanoTime() - loadStartNanos) / 1e9;
        long added = admin.documentCount(collection) - documentsBefore;
        System.out.printf("POISK-INGEST format=%s batch=%d users=%d documents_added=%d acknowledged=%d seconds=%.1f docs_per_s=%.1f%n",
                format, batch, settings.users(), added, acknowledged.get(), seconds, added / seconds);
        if (added != acknowledged.get()) {
            System.out.printf("POISK-INGEST-MISMATCH the collection gained %d documents but %d were acknowledged%n",
                    added, acknowledged.get());
        }
    }

    private Session countAcknowledged(Session session) {
        if (session.contains("indexed")) acknowledged.addAndGet(session.getInt("indexed"));
        return session;
    }

    /** A batch of fresh documents in the chosen format; ids are unique across users and runs. */
    private String batchBody(Session session) {
        List<Map<String, Object>> docs = new ArrayList<>(batch);
        SplittableRandom random = new SplittableRandom(session.userId());
        for (int i = 0; i < batch; i++) {
            long n = nextDocument.getAndIncrement();
            int first = random.nextInt(sentences.size());
            int count = 2 + random.nextInt(4);
            StringBuilder text = new StringBuilder();
            for (int s = 0; s < count; s++) {
                if (s > 0) text.append(' ');
                text.append(sentences.get((first + s) % sentences.size()));
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("id", "load-" + runId + "-" + n);
            doc.put("text", text.toString());
            doc.put("fields", Map.of("source", "xquad-ru sentences", "format", format));
            docs.add(doc);
        }
        if (format.equals("json")) return PoiskAdminClient.toJson(Map.of("documents", docs));
        StringBuilder ndjson = new StringBuilder();
        for (Map<String, Object> doc : docs) ndjson.append(PoiskAdminClient.toJson(doc)).append('\n');
        return ndjson.toString();
    }
}
