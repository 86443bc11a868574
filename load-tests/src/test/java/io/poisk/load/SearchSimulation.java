package io.poisk.load;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Semantic search under a closed load: {@code users} virtual users (default 16) each send one
 * XQuAD-ru question at a time to {@code POST /collections/{collection}/search}, for {@code seconds}.
 * The collection must already hold the 240 XQuAD paragraphs ({@code run.sh} loads them).
 *
 * <p>Besides Gatling's client-side figures it reports the server's own {@code took_ms} percentiles
 * (what the engine spends, without HTTP and queueing in front of it) and how often the question's
 * own paragraph came back in the top k — a guard that the load measured real retrieval.
 *
 * <p>Properties: {@code poisk.url}, {@code users}, {@code seconds}, {@code collection} (xquad),
 * {@code k} (10), {@code mode} (dense|lexical|hybrid; server default when unset), {@code queries}
 * ({@code repeat}: drawn with replacement from the 1190 questions, so texts recur as in real logs;
 * {@code unique}: no text is sent twice in a run — a shuffled pass over the questions, later passes
 * suffixed {@code " (2)"}, {@code " (3)"}… — so a query-embedding cache never hits), {@code warmup}
 * (searches before measuring, 200, questions in file order: 1190 is one pass over all of them, which
 * fills the server's query cache; in unique mode warm-up texts are suffixed {@code " (warm-up)"} so the
 * measured ones stay unseen), {@code passOffset} (0: unique texts start at pass offset + 1, so runs against one
 * server with offsets far apart never repeat each other's texts), {@code p99TargetMs} (40: the run fails its
 * assertion above it).
 */
public class SearchSimulation extends Simulation {
    private final LoadSettings settings = LoadSettings.fromSystemProperties(16);
    private final String collection = System.getProperty("collection", "xquad");
    private final int k = LoadSettings.positiveInt("k", 10);
    private final String mode = System.getProperty("mode", "");
    private final boolean uniqueQueries = queriesProperty();
    private final int warmup = Integer.getInteger("warmup", 200);
    private final int passOffset = Integer.getInteger("passOffset", 0);
    private final int p99TargetMs = LoadSettings.positiveInt("p99TargetMs", 40);
    private final XquadCorpus corpus = XquadCorpus.load(settings.xquadFile());
    private final PoiskAdminClient admin = new PoiskAdminClient(settings.baseUrl());

    private final LatencySample serverTookMs = new LatencySample();
    private final LongAdder ownParagraphFound = new LongAdder();
    private long loadStartNanos;

    {
        HttpProtocolBuilder protocol = http.baseUrl(settings.url())
                .acceptHeader("application/json")
                .contentTypeHeader("application/json")
                // Keep-alive connections pooled across users, as a client library in front of Poisk would.
                .shareConnections()
                // Gatling's default warm-up request goes to gatling.io; keep every request local.
                .warmUp(settings.url() + "/health");

        ScenarioBuilder search = scenario("search")
                .feed(questions())
                .exec(http("search").post("/collections/" + collection + "/search")
                        .body(StringBody(this::searchBody))
                        .check(status().is(200),
                                jsonPath("$.hits[*].id").findAll().saveAs("hitIds"),
                                jsonPath("$.took_ms").ofLong().saveAs("tookMs")))
                .exec(this::recordReply);

        setUp(search.injectClosed(constantConcurrentUsers(settings.users()).during(settings.duration())))
                .protocols(protocol)
                .assertions(
                        global().successfulRequests().percent().gte(99.0),
                        global().responseTime().percentile(99.0).lte(p99TargetMs));
    }

    /** Checks the corpus is there, then warms the JIT, the model and the index with unmeasured searches. */
    @Override
    public void before() {
        admin.requireCorpus(collection, corpus.paragraphs().size());
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(settings.users())) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < warmup; i++) {
                String question = corpus.questions().get(i % corpus.questions().size()).text();
                String query = uniqueQueries ? question + " (warm-up)" : question;
                done.add(pool.submit(() -> admin.search(collection, query, k, mode)));
            }
            for (Future<?> f : done) f.get();
        } catch (Exception e) {
            throw new IllegalStateException("warm-up searches failed: " + e.getMessage(), e);
        }
        System.out.printf("POISK-WARMUP searches=%d users=%d seconds=%.1f mode=%s queries=%s query_cache=%s%n", warmup,
                settings.users(), (System.nanoTime() - start) / 1e9, mode.isBlank() ? "default" : mode,
                uniqueQueries ? "unique" : "repeat", admin.queryCacheStats());
        loadStartNanos = System.nanoTime();
    }

    @Override
    public void after() {
        int n = serverTookMs.count();
        double seconds = (System.nanoTime() - loadStartNanos) / 1e9;
        // Gatling's console rounds throughput to whole requests/s; this is the exact figure.
        System.out.printf("POISK-THROUGHPUT answered=%d seconds=%.1f searches_per_s=%.2f%n", n, seconds, n / seconds);
        System.out.printf("POISK-SERVER-TOOK-MS count=%d p50=%d p95=%d p99=%d max=%d%n", n,
                serverTookMs.percentile(50), serverTookMs.percentile(95), serverTookMs.percentile(99),
                serverTookMs.percentile(100));
        System.out.printf("POISK-OWN-PARAGRAPH-IN-TOP%d %.3f (%d of %d answered searches)%n", k,
                n == 0 ? 0.0 : ownParagraphFound.sum() / (double) n, ownParagraphFound.sum(), n);
        System.out.printf("POISK-QUERY-CACHE %s (server totals, warm-up included)%n", admin.queryCacheStats());
    }

    private static boolean queriesProperty() {
        String queries = System.getProperty("queries", "repeat");
        return switch (queries) {
            case "repeat" -> false;
            case "unique" -> true;
            default -> throw new IllegalArgumentException("queries must be repeat or unique, got '" + queries + "'");
        };
    }

    private Iterator<Map<String, Object>> questions() {
        return uniqueQueries ? QuestionFeed.unique(corpus.questions(), passOffset) : QuestionFeed.repeating(corpus.questions());
    }

    private String searchBody(Session session) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", session.getString("query"));
        body.put("k", k);
        if (!mode.isBlank()) body.put("mode", mode);
        return PoiskAdminClient.toJson(body);
    }

    private Session recordReply(Session session) {
        if (session.contains("tookMs")) {
            serverTookMs.record(session.getLong("tookMs"));
            List<Object> ids = session.getList("hitIds");
            if (ids.contains(session.getString("paragraphId"))) ownParagraphFound.increment();
        }
        return session.remove("tookMs").remove("hitIds");
    }
}
