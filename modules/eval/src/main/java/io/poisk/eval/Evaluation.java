package io.poisk.eval;

import io.poisk.core.Document;
import io.poisk.core.Hit;
import io.poisk.core.PoiskException;
import io.poisk.engine.Engine;
import io.poisk.engine.SearchRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Runs a dataset against an engine through the {@link Engine} interface only, as every transport: optionally creates the
 * collection, indexes the corpus in batches, runs every query (twice, with the original and the
 * changed instruction, for instruction sets) with a bounded number in flight, and scores the runs.
 */
public final class Evaluation {
    private static final Logger LOG = LoggerFactory.getLogger(Evaluation.class);

    private final Engine engine;
    private final EvaluationSettings settings;

    public Evaluation(Engine engine, EvaluationSettings settings) {
        this.engine = engine;
        this.settings = settings;
    }

    public EvalReport run(RetrievalDataset dataset) {
        String aliasOf = engine.aliases().join().get(settings.collection());
        if (aliasOf != null) {
            // An alias is used as it is (a collection may not be created under its name): its collection takes the corpus.
            LOG.info("'{}' is an alias of collection '{}': indexing into it and searching it", settings.collection(), aliasOf);
        } else if (settings.createCollection()) {
            boolean created = engine.createCollection(settings.collection(), settings.model(),
                    new io.poisk.index.CollectionOptions(null, null, null, settings.passages())).join();
            LOG.info("collection '{}' {}", settings.collection(), created ? "created" : "already existed");
        }
        double docsPerSecond = ingest(dataset.corpus());
        LOG.info("indexed {} documents into '{}' at {} docs/s", dataset.corpus().size(), settings.collection(),
                String.format("%.1f", docsPerSecond));

        Map<String, Double> metrics = new LinkedHashMap<>();
        List<Long> latencies = new ArrayList<>();
        Map<String, List<String>> originalRun = search(dataset.queries(), EvalQuery::instruction, latencies);
        RetrievalScores scores = RetrievalScores.of(originalRun, dataset.qrels(), settings.k());
        metrics.putAll(scores.asMap(""));
        if (dataset.hasInstructionChanges()) {
            Map<String, List<String>> changedRun = search(dataset.queries(), EvalQuery::changedInstruction, latencies);
            metrics.putAll(RetrievalScores.of(changedRun, dataset.changedQrels(), settings.k()).asMap("_changed"));
            metrics.put("p-mrr", PairwiseMrr.of(originalRun, changedRun,
                    PairwiseMrr.changedDocuments(dataset.qrels(), dataset.changedQrels())));
        }
        long[] nanos = latencies.stream().mapToLong(Long::longValue).toArray();
        return new EvalReport(dataset.name(), settings.collection(), settings.mode().wireName(), settings.k(),
                scores.queries(), dataset.corpus().size(), metrics, docsPerSecond, LatencyPercentiles.ofNanos(nanos));
    }

    /** Indexes the corpus with up to {@code concurrency} batches in flight; returns documents per second. */
    private double ingest(List<Document> corpus) {
        long start = System.nanoTime();
        InFlight inFlight = new InFlight(settings.concurrency());
        for (int from = 0; from < corpus.size(); from += settings.ingestBatch()) {
            List<Document> batch = corpus.subList(from, Math.min(corpus.size(), from + settings.ingestBatch()));
            inFlight.submit(() -> engine.index(settings.collection(), batch));
        }
        inFlight.awaitAll();
        double seconds = (System.nanoTime() - start) / 1e9;
        return corpus.isEmpty() ? 0 : corpus.size() / seconds;
    }

    /** Runs every query with the instruction {@code instructionOf} picks; records each call's latency. */
    private Map<String, List<String>> search(List<EvalQuery> queries, Function<EvalQuery, String> instructionOf,
                                             List<Long> latencies) {
        Map<String, List<String>> run = new ConcurrentHashMap<>();
        List<Long> observed = java.util.Collections.synchronizedList(new ArrayList<>());
        InFlight inFlight = new InFlight(settings.concurrency());
        for (EvalQuery q : queries) {
            SearchRequest request = new SearchRequest(q.text(), instructionOf.apply(q), settings.k(), settings.mode(), Map.of());
            inFlight.submit(() -> {
                long start = System.nanoTime();
                return engine.search(settings.collection(), request).thenAccept(response -> {
                    observed.add(System.nanoTime() - start);
                    run.put(q.id(), response.plainHits().stream().map(Hit::id).toList());
                });
            });
        }
        inFlight.awaitAll();
        latencies.addAll(observed);
        return run;
    }

    /** At most {@code limit} engine calls outstanding; the first failure fails the run. */
    private static final class InFlight {
        private final Semaphore permits;
        private final int limit;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        InFlight(int limit) {
            this.limit = limit;
            this.permits = new Semaphore(limit);
        }

        void submit(java.util.function.Supplier<CompletableFuture<?>> call) {
            permits.acquireUninterruptibly();
            rethrowFailure();
            CompletableFuture<?> f;
            try {
                f = call.get();
            } catch (RuntimeException e) {
                permits.release();
                throw e;
            }
            f.whenComplete((r, t) -> {
                if (t != null) failure.compareAndSet(null, t);
                permits.release();
            });
        }

        void awaitAll() {
            permits.acquireUninterruptibly(limit);
            permits.release(limit);
            rethrowFailure();
        }

        private void rethrowFailure() {
            Throwable t = failure.get();
            if (t != null) throw PoiskException.from(t);
        }
    }
}
