package io.poisk.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.ws;

/**
 * Live search under typing: {@code users} virtual users (default 16) each open one WebSocket to
 * {@code /ws/search} and type XQuAD-ru questions one character at a time, a keystroke every 50-150 ms
 * (uniform, seeded per user, so every run types the same sequence). Each keystroke sends the prefix
 * typed so far with a new, growing id, which supersedes the query before it on the server. After the
 * last keystroke of a question the user waits for the {@code final} message carrying that keystroke's
 * id, reads the answer for 0.5-1 s and types the next question, until {@code seconds} have passed.
 *
 * <p>The Gatling request {@code final} is the time from sending the last keystroke to its {@code final}
 * (the latency a typing user feels); a {@code phase:error} answer for that id, or none within
 * {@code finalTimeoutS}, is a KO. Answers to earlier keystrokes ({@code final}s that beat the next
 * keystroke, {@code cancelled} notices) are not awaited; every inbound message is counted by phase,
 * and the server's own live-search counters ({@code GET /stats}) are printed as a difference over the run.
 * The Gatling requests {@code keystroke} and {@code last keystroke} are the sends (0 ms by construction).
 *
 * <p>Properties: {@code poisk.url}, {@code users}, {@code seconds}, {@code collection} (xquad),
 * {@code k} (10), {@code mode} (server default when unset), {@code rerankModel} and {@code rerankTopN}
 * (no reranking unless a model is named), {@code keystrokeMs} (100: the mean; pauses are uniform in
 * [mean/2, 3·mean/2]), {@code finalTimeoutS} (30), {@code warmup} (HTTP searches before measuring, 50),
 * {@code p99TargetMs} (the run fails its assertion when the {@code final} p99 is above it; unset: no
 * latency assertion).
 */
public class LiveSearchSimulation extends Simulation {
    /** Seeds each user's keystroke pauses and question order: the same typing every run. */
    private static final long SEED = 20_240_601L;
    private static final String FINAL = "final";

    private final LoadSettings settings = LoadSettings.fromSystemProperties(16);
    private final String collection = System.getProperty("collection", "xquad");
    private final int k = LoadSettings.positiveInt("k", 10);
    private final String mode = System.getProperty("mode", "");
    private final String rerankModel = System.getProperty("rerankModel", "");
    private final int rerankTopN = LoadSettings.positiveInt("rerankTopN", 20);
    private final int keystrokeMs = LoadSettings.positiveInt("keystrokeMs", 100);
    private final int finalTimeoutS = LoadSettings.positiveInt("finalTimeoutS", 30);
    private final int warmup = Integer.getInteger("warmup", 50);
    private final Integer p99TargetMs = Integer.getInteger("p99TargetMs");
    private final XquadCorpus corpus = XquadCorpus.load(settings.xquadFile());
    private final PoiskAdminClient admin = new PoiskAdminClient(settings.baseUrl());

    private final LiveMessageTally inbound = new LiveMessageTally();
    private final LongAdder keystrokesSent = new LongAdder();
    private final LongAdder questionsAnswered = new LongAdder();
    private final LongAdder ownParagraphFound = new LongAdder();
    private final LatencySample serverTookMs = new LatencySample();
    private JsonNode serverStatsBefore;
    private long loadStartNanos;

    {
        HttpProtocolBuilder protocol = http.baseUrl(settings.url())
                .wsBaseUrl(settings.url().replaceFirst("^http", "ws"))
                // Not a reply: the hook sees every inbound frame, awaited or not, so it counts them all.
                .wsAutoReplyTextFrame(text -> {
                    inbound.record(text);
                    return null;
                })
                .warmUp(settings.url() + "/health");

        ChainBuilder typeOneQuestion = exec(this::nextQuestion)
                .foreach("#{prefixes}", "prefix").on(
                        exec(this::nextId)
                                .exec(ws("keystroke").sendText(this::queryMessage))
                                .pause(this::keystrokePause))
                .exec(this::nextId)
                .exec(session -> session.set("prefix", session.getString("question")))
                .exec(ws("last keystroke").sendText(this::queryMessage)
                        .await(Duration.ofSeconds(finalTimeoutS)).on(
                                ws.checkTextMessage(FINAL)
                                        // Only the answer to this keystroke ends the wait; older ids are superseded.
                                        .matching(jsonPath("$.id").ofLong().is(session -> session.getLong("id")),
                                                jsonPath("$.phase").in(FINAL, "error"))
                                        .check(jsonPath("$.phase").is(FINAL),
                                                jsonPath("$.hits[*].id").findAll().optional().saveAs("hitIds"),
                                                jsonPath("$.took_ms").ofLong().saveAs("tookMs"))))
                .exec(this::recordAnswer)
                .pause(this::readingPause);

        ScenarioBuilder typing = scenario("live search")
                .exec(session -> session.set("random", new SplittableRandom(SEED + session.userId())).set("id", 0L))
                .exec(ws("connect").connect("/ws/search"))
                // Users start within one keystroke of each other, not in lockstep.
                .pause(session -> Duration.ofMillis(random(session).nextInt(2 * keystrokeMs)))
                // Not exitASAP: a question once started is typed, awaited and recorded to the end.
                .during(settings.duration(), false).on(typeOneQuestion)
                .exec(ws("close").close());

        List<io.gatling.javaapi.core.Assertion> assertions = new ArrayList<>();
        assertions.add(details(FINAL).successfulRequests().percent().gte(99.0));
        if (p99TargetMs != null) assertions.add(details(FINAL).responseTime().percentile(99.0).lte(p99TargetMs));
        setUp(typing.injectOpen(atOnceUsers(settings.users())))
                .protocols(protocol)
                .assertions(assertions);
    }

    /** Checks the corpus is there, then warms the model and the index with unmeasured HTTP searches. */
    @Override
    public void before() {
        admin.requireCorpus(collection, corpus.paragraphs().size());
        long start = System.nanoTime();
        for (int i = 0; i < warmup; i++) {
            admin.search(collection, corpus.questions().get(i % corpus.questions().size()).text(), k);
        }
        System.out.printf("POISK-WARMUP searches=%d seconds=%.1f%n", warmup, (System.nanoTime() - start) / 1e9);
        serverStatsBefore = admin.liveStats();
        loadStartNanos = System.nanoTime();
    }

    @Override
    public void after() {
        double seconds = (System.nanoTime() - loadStartNanos) / 1e9;
        long answered = questionsAnswered.sum();
        long keystrokes = keystrokesSent.sum();
        long finals = inbound.count(FINAL);
        System.out.printf("POISK-LIVE users=%d seconds=%.1f questions_answered=%d answers_per_s=%.2f keystrokes=%d"
                        + " keystrokes_per_s=%.1f%n", settings.users(), seconds, answered, answered / seconds,
                keystrokes, keystrokes / seconds);
        // A final for an id that was not the question's last keystroke is a superseded answer the user ignores.
        System.out.printf("POISK-LIVE-MESSAGES final=%d (superseded_finals=%d) candidates=%d cancelled=%d error=%d"
                        + " errors_by_code=%s other=%s%n", finals, Math.max(0, finals - answered),
                inbound.count("candidates"), inbound.count("cancelled"), inbound.count("error"),
                inbound.errorsByCode(), inbound.otherPhases());
        JsonNode after = admin.liveStats();
        StringBuilder server = new StringBuilder("POISK-LIVE-SERVER");
        for (String key : List.of("started", "completed", "failed", "cancelled", "superseded", "index_searches_run")) {
            server.append(' ').append(key).append('=').append(after.path(key).asLong() - serverStatsBefore.path(key).asLong());
        }
        server.append(" cancelled_in_stage={");
        List<String> stages = new ArrayList<>();
        after.path("cancelled_in_stage").properties().forEach(e -> stages.add(e.getKey() + "="
                + (e.getValue().asLong() - serverStatsBefore.path("cancelled_in_stage").path(e.getKey()).asLong())));
        System.out.println(server.append(String.join(", ", stages)).append('}'));
        System.out.printf("POISK-SERVER-TOOK-MS (last keystroke's final) count=%d p50=%d p95=%d p99=%d max=%d%n",
                serverTookMs.count(), serverTookMs.percentile(50), serverTookMs.percentile(95),
                serverTookMs.percentile(99), serverTookMs.percentile(100));
        System.out.printf("POISK-OWN-PARAGRAPH-IN-TOP%d %.3f (%d of %d answered questions)%n", k,
                answered == 0 ? 0.0 : ownParagraphFound.sum() / (double) answered, ownParagraphFound.sum(), answered);
    }

    private static SplittableRandom random(Session session) {
        return (SplittableRandom) session.get("random");
    }

    /** Picks the user's next question and lays out its keystrokes: every prefix but the whole question. */
    private Session nextQuestion(Session session) {
        XquadCorpus.Question q = corpus.questions().get(random(session).nextInt(corpus.questions().size()));
        String text = q.text();
        List<String> prefixes = new ArrayList<>(text.length());
        // By code point, so a keystroke never splits a surrogate pair.
        for (int end = text.offsetByCodePoints(0, 1); end < text.length(); end = text.offsetByCodePoints(end, 1)) {
            prefixes.add(text.substring(0, end));
        }
        return session.set("question", text).set("paragraphId", q.paragraphId()).set("prefixes", prefixes);
    }

    private Session nextId(Session session) {
        keystrokesSent.increment();
        return session.set("id", session.getLong("id") + 1);
    }

    private Duration keystrokePause(Session session) {
        return Duration.ofMillis(keystrokeMs / 2 + random(session).nextInt(keystrokeMs + 1));
    }

    private Duration readingPause(Session session) {
        return Duration.ofMillis(500 + random(session).nextInt(501));
    }

    private String queryMessage(Session session) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", session.getLong("id"));
        m.put("collection", collection);
        m.put("query", session.getString("prefix"));
        m.put("k", k);
        if (!mode.isBlank()) m.put("mode", mode);
        if (!rerankModel.isBlank()) m.put("rerank", Map.of("model", rerankModel, "top_n", rerankTopN));
        return PoiskAdminClient.toJson(m);
    }

    private Session recordAnswer(Session session) {
        if (session.contains("tookMs")) {
            questionsAnswered.increment();
            serverTookMs.record(session.getLong("tookMs"));
            List<Object> ids = session.contains("hitIds") ? session.getList("hitIds") : List.of();
            if (ids.contains(session.getString("paragraphId"))) ownParagraphFound.increment();
        }
        return session.remove("tookMs").remove("hitIds");
    }
}
