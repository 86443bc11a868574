package io.poisk.load;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * Search capacity under an open load: users arrive at a fixed rate (Poisson arrivals), each sends one search and
 * leaves, so a slow server faces the same arrivals instead of fewer (a closed loop would slow its own clients down).
 * The rate climbs a ladder of steps ({@code rates}, searches/s, each held {@code stepSeconds}); every query text is
 * new ({@link QuestionFeed#unique}), so every search pays a query embedding.
 *
 * <p>Per step it prints a {@code POISK-STEP} line: offered rate (arrivals/s), achieved rate (OK answers completed
 * within the step / its length), p50/p95/p99 of the step's arrivals (their whole wait, however late they finish),
 * failures, and what the server's embedding batcher did meanwhile ({@code GET /metrics}, polled every second:
 * batch sizes formed, inference and queue-wait times). {@code POISK-CAPACITY} is the highest step that kept up
 * (achieved at least 95% of offered, under 1% failures) with p99 under {@code p99LimitMs}.
 *
 * <p>Properties: {@code poisk.url}, {@code rates} (comma-separated searches/s, e.g. {@code 4,8,12,16}),
 * {@code stepSeconds} (30), {@code mode} (hybrid), {@code k} (10), {@code collection} (xquad), {@code passOffset}
 * (20: unique texts start at pass offset + 1), {@code warmup} (20 searches, unmeasured), {@code warmupSeconds} (10:
 * arrivals at the first step's rate before the first step, reported on a {@code POISK-WARMUP-STEP} line but not
 * measured), {@code p99LimitMs} (1000).
 *
 * <p>Why the warm-up step: this JVM compiles Gatling's own code during its first seconds (its C2 threads took 23% of
 * a core over the first 20 s and 2% later, session 16), and on a machine it shares with the server that delays the
 * first measured searches: the first 12 s at 24 searches/s had p99 187-302 ms where the following windows had 97-133.
 */
public class CapacitySimulation extends Simulation {
    private static final double KEPT_UP = 0.95;
    private static final double MAX_FAILED = 0.01;

    private final LoadSettings settings = LoadSettings.fromSystemProperties(1);
    private final double[] rates = rates();
    private final int stepSeconds = LoadSettings.positiveInt("stepSeconds", 30);
    private final String mode = System.getProperty("mode", "hybrid");
    private final int k = LoadSettings.positiveInt("k", 10);
    private final String collection = System.getProperty("collection", "xquad");
    private final int passOffset = Integer.getInteger("passOffset", 20);
    private final int warmup = Integer.getInteger("warmup", 20);
    private final int warmupSeconds = LoadSettings.nonNegativeInt("warmupSeconds", 10);
    private final int p99LimitMs = LoadSettings.positiveInt("p99LimitMs", 1000);
    private final XquadCorpus corpus = XquadCorpus.load(settings.xquadFile());
    private final PoiskAdminClient admin = new PoiskAdminClient(settings.baseUrl());

    /** When the first user arrived: the warm-up step covers its first warmupSeconds, then step i covers [i, i+1) × stepSeconds. */
    private final AtomicLong startNanos = new AtomicLong(Long.MIN_VALUE);
    /** Wall-clock ms at nanoTime 0, to print the steps' windows as epoch ms (for load-tests/cpu_sampler.py). */
    private final long epochMsAtNanoZero = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    /** The unmeasured warm-up step's arrivals. */
    private final StepTally warmupStep = new StepTally();
    private final List<StepTally> steps = new ArrayList<>();
    private final List<EmbeddingMeterSnapshot> meterSnapshots = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService poller;

    /** What happened to one step's arrivals. */
    private static final class StepTally {
        final LatencySample okMs = new LatencySample();
        final LongAdder arrivals = new LongAdder();
        final LongAdder failed = new LongAdder();
        /** OK answers completed inside the step's window, whichever step they arrived in. */
        final LongAdder completedInWindow = new LongAdder();
    }

    {
        for (int i = 0; i < rates.length; i++) steps.add(new StepTally());
        HttpProtocolBuilder protocol = http.baseUrl(settings.url())
                .acceptHeader("application/json")
                .contentTypeHeader("application/json")
                // One pool of keep-alive connections for all users, as a client library in front of Poisk holds:
                // an arrival is a new search, not a new TCP connection.
                .shareConnections()
                .warmUp(settings.url() + "/health");

        ScenarioBuilder search = scenario("capacity " + mode)
                .feed(QuestionFeed.unique(corpus.questions(), passOffset))
                .exec(this::arrive)
                .exec(http("search").post("/collections/" + collection + "/search")
                        .body(StringBody(this::searchBody))
                        .check(responseTimeInMillis().saveAs("rtMs"), status().is(200)))
                .exec(this::record);

        List<OpenInjectionStep> ladder = new ArrayList<>();
        if (warmupSeconds > 0) ladder.add(constantUsersPerSec(rates[0]).during(Duration.ofSeconds(warmupSeconds)).randomized());
        for (double rate : rates) ladder.add(constantUsersPerSec(rate).during(Duration.ofSeconds(stepSeconds)).randomized());
        setUp(search.injectOpen(ladder))
                .protocols(protocol)
                // The ladder is meant to pass its capacity, so failures are reported per step, not asserted;
                // this only stops a run whose server answers nothing.
                .assertions(global().successfulRequests().percent().gte(50.0));
    }

    @Override
    public void before() {
        admin.requireCorpus(collection, corpus.paragraphs().size());
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < warmup; i++) {
                String query = corpus.questions().get(i % corpus.questions().size()).text() + " (warm-up " + passOffset + ")";
                done.add(pool.submit(() -> admin.search(collection, query, k, mode)));
            }
            for (Future<?> f : done) f.get();
        } catch (Exception e) {
            throw new IllegalStateException("warm-up searches failed: " + e.getMessage(), e);
        }
        System.out.printf(Locale.ROOT, "POISK-LADDER mode=%s rates=%s step_seconds=%d arrivals=poisson passOffset=%d%n",
                mode, Arrays.toString(rates), stepSeconds, passOffset);
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metrics-poller");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleAtFixedRate(this::snapshotMeters, 0, 1, TimeUnit.SECONDS);
    }

    @Override
    public void after() {
        poller.shutdownNow();
        snapshotMeters();
        long t0 = startNanos.get() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        if (warmupSeconds > 0) {
            System.out.printf(Locale.ROOT, "POISK-WARMUP-STEP seconds=%d target=%.2f offered=%.2f ok=%d failed=%d p50=%d p95=%d p99=%d max=%d (not measured)%n",
                    warmupSeconds, rates[0], warmupStep.arrivals.sum() / (double) warmupSeconds, warmupStep.okMs.count(),
                    warmupStep.failed.sum(), warmupStep.okMs.percentile(50), warmupStep.okMs.percentile(95),
                    warmupStep.okMs.percentile(99), warmupStep.okMs.percentile(100));
        }
        int capacityStep = -1;
        for (int i = 0; i < steps.size(); i++) {
            StepTally s = steps.get(i);
            long arrivals = s.arrivals.sum(), failed = s.failed.sum();
            double offered = arrivals / (double) stepSeconds;
            double achieved = s.completedInWindow.sum() / (double) stepSeconds;
            long p99 = s.okMs.percentile(99);
            boolean keptUp = arrivals > 0 && achieved >= KEPT_UP * offered && failed <= MAX_FAILED * arrivals
                    && p99 >= 0 && p99 < p99LimitMs;
            if (keptUp) capacityStep = i;
            long from = t0 + TimeUnit.SECONDS.toNanos((long) i * stepSeconds);
            String batcher = batcherBetween(from, from + TimeUnit.SECONDS.toNanos(stepSeconds));
            long fromMs = epochMsAtNanoZero + TimeUnit.NANOSECONDS.toMillis(from);
            System.out.printf(Locale.ROOT, "POISK-STEP %d target=%.2f offered=%.2f achieved=%.2f ok=%d failed=%d p50=%d p95=%d p99=%d max=%d "
                            + "kept_up=%s from_ms=%d to_ms=%d | %s%n", i + 1, rates[i], offered, achieved, s.okMs.count(), failed,
                    s.okMs.percentile(50), s.okMs.percentile(95), p99, s.okMs.percentile(100), keptUp, fromMs,
                    fromMs + TimeUnit.SECONDS.toMillis(stepSeconds), batcher);
        }
        if (capacityStep < 0) {
            System.out.printf(Locale.ROOT, "POISK-CAPACITY searches_per_s=0 (no step kept up with p99 < %d ms)%n", p99LimitMs);
        } else {
            StepTally s = steps.get(capacityStep);
            System.out.printf(Locale.ROOT, "POISK-CAPACITY searches_per_s=%.2f step=%d offered=%.2f p99=%d p99_limit_ms=%d%n",
                    s.completedInWindow.sum() / (double) stepSeconds, capacityStep + 1, s.arrivals.sum() / (double) stepSeconds,
                    s.okMs.percentile(99), p99LimitMs);
        }
    }

    private static double[] rates() {
        String value = System.getProperty("rates", "");
        if (value.isBlank()) throw new IllegalArgumentException("set -Drates=R1,R2,... (searches/s per step)");
        double[] out = Arrays.stream(value.split(",")).map(String::strip).mapToDouble(Double::parseDouble).toArray();
        for (double r : out) if (!(r > 0)) throw new IllegalArgumentException("rates must be positive, got " + value);
        return out;
    }

    private void snapshotMeters() {
        try {
            meterSnapshots.add(EmbeddingMeterSnapshot.parse(System.nanoTime(), admin.metricsText()));
        } catch (RuntimeException e) {
            System.out.println("POISK-METRICS-UNREAD " + e.getMessage()); // a missed poll widens a window, no more
        }
    }

    /** The batcher's work between the polls nearest to two instants. */
    private String batcherBetween(long fromNanos, long toNanos) {
        EmbeddingMeterSnapshot a = nearest(fromNanos), b = nearest(toNanos);
        return a == null || b == null || a == b ? "batcher: no metrics" : "batcher: " + b.since(a);
    }

    private EmbeddingMeterSnapshot nearest(long nanos) {
        EmbeddingMeterSnapshot best = null;
        for (EmbeddingMeterSnapshot s : meterSnapshots) {
            if (best == null || Math.abs(s.nanos() - nanos) < Math.abs(best.nanos() - nanos)) best = s;
        }
        return best;
    }

    /** The step an instant falls in; -1 for the warm-up step. */
    private int stepOf(long nanos) {
        long since = nanos - startNanos.get() - TimeUnit.SECONDS.toNanos(warmupSeconds);
        if (since < 0) return -1;
        return (int) Math.min(steps.size() - 1, since / TimeUnit.SECONDS.toNanos(stepSeconds));
    }

    private StepTally tally(int step) {
        return step < 0 ? warmupStep : steps.get(step);
    }

    private Session arrive(Session session) {
        long now = System.nanoTime();
        startNanos.compareAndSet(Long.MIN_VALUE, now);
        int step = stepOf(now);
        tally(step).arrivals.increment();
        return session.set("step", step);
    }

    private Session record(Session session) {
        StepTally arrivedIn = tally(session.getInt("step"));
        if (session.isFailed() || !session.contains("rtMs")) {
            arrivedIn.failed.increment();
        } else {
            arrivedIn.okMs.record(session.getInt("rtMs"));
            long since = System.nanoTime() - startNanos.get() - TimeUnit.SECONDS.toNanos(warmupSeconds);
            long window = since < 0 ? -1 : since / TimeUnit.SECONDS.toNanos(stepSeconds);
            if (window >= 0 && window < steps.size()) steps.get((int) window).completedInWindow.increment();
        }
        return session.remove("rtMs");
    }

    private String searchBody(Session session) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", session.getString("query"));
        body.put("k", k);
        body.put("mode", mode);
        return PoiskAdminClient.toJson(body);
    }
}
