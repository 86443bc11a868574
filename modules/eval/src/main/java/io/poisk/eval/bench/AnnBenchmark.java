package io.poisk.eval.bench;

import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.poisk.index.CollectionIndex;
import io.poisk.index.IndexOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ANN benchmark: Poisk's on-disk segment search (through {@link CollectionIndex}) against Lucene HNSW,
 * recall@k against brute force versus single-thread queries/s at several search beams, on the same
 * vectors in the same JVM, and the QPS ratio Poisk/Lucene at equal recall.
 *
 * <p>Each engine at its defaults: Poisk's graph degree ({@code index.graph_degree}), Lucene's M = 16 (its bottom
 * layer keeps 2M = 32 neighbours); both build with beam 100. A Poisk "beam" is its {@code searchBeam}; a Lucene "beam" is
 * the candidate count k' of {@code KnnFloatVectorQuery(field, q, k')}, of which the top k are kept.
 * Search alternates the engines every 25 queries over several passes of the query set ({@code --rounds}),
 * so that load from other processes on a shared machine hits both alike.
 *
 * <p>Options: {@code --data fashion|europarl|both|javadoc --base 60000 --queries 1000 --beams 10,20,40,80,160
 * --rounds 2 --k 10 --documents true|false (also measure the search with k documents loaded) --degree (index.graph_degree) --construction-beam (index.construction_beam) --rescore-factor 2 (old name --rerank-factor also read) --pq-min-vectors N (0: PQ at any size; larger than the base: no PQ) --pq-subvector-dims 4 (index.pq_subvector_dims) --lucene-m 16 --lucene-beam 100 (Lucene's defaults)
 * --warmup-vectors 5000 (both engines are built once on this many vectors, thrown away, before the measured builds; 0: cold)
 * --work-dir DIR} and for europarl {@code --limit 17000 --max-chars 300 --models-dir DIR --model e5-small-v2
 * --cache-dir modules/eval/target/bench-cache --europarl-jar JAR}.
 */
public final class AnnBenchmark {
    private static final Logger log = LoggerFactory.getLogger(AnnBenchmark.class);
    private static final double[] RECALL_TARGETS = {0.80, 0.90, 0.95, 0.98, 0.99};

    /** What to build and how to search. */
    record Settings(int k, List<Integer> beams, int rounds, int degree, int constructionBeam, int rescoreFactor,
                    int luceneM, int luceneBeam, Path workDir, boolean withDocuments, int pqMinVectors, int pqSubvectorDims,
                    int warmupVectors) {
    }

    /** Build cost of one engine; {@code jitMillis}: the part of {@code cpuMillis} the JIT compilers took. */
    record BuildStats(String engine, long buildMillis, long cpuMillis, long jitMillis, long diskBytes, long indexBytes, long heapBytes) {
    }

    /** What one data set gave: the build costs and every operating point (best round). */
    record Result(VectorSet set, List<BuildStats> builds, List<OperatingPoint> points) {
        List<OperatingPoint> of(String engine) {
            return points.stream().filter(p -> p.engine().equals(engine)).toList();
        }
    }

    private AnnBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        int degree = a.integer("degree", IndexOptions.defaults().graphDegree());
        Path work = a.string("work-dir", null) == null ? Files.createTempDirectory("poisk-ann-bench")
                : Files.createDirectories(Path.of(a.string("work-dir", null)));
        Settings s = new Settings(a.integer("k", 10), a.integers("beams", "10,20,40,80,160"), a.integer("rounds", 2),
                degree, a.integer("construction-beam", IndexOptions.defaults().constructionBeam()), a.integer("rescore-factor", a.integer("rerank-factor", 2)),
                a.integer("lucene-m", 16), a.integer("lucene-beam", 100), work, Boolean.parseBoolean(a.string("documents", "true")),
                a.integer("pq-min-vectors", 0), a.integer("pq-subvector-dims", IndexOptions.DEFAULT_PQ_SUBVECTOR_DIMS),
                a.integer("warmup-vectors", 5_000));
        String data = a.string("data", "fashion");
        int queries = a.integer("queries", 1000);
        PrintStream out = System.out;
        printEnvironment(out, s);
        try {
            if (data.equals("fashion") || data.equals("both")) {
                VectorSet set = FashionMnist.load(Path.of(a.string("fashion-dir", FashionMnist.DEFAULT_DIR.toString())),
                        a.integer("base", 60_000), queries);
                print(out, run(set, s), s);
            }
            if (data.equals("europarl") || data.equals("both")) {
                String repo = System.getProperty("poisk.repo.dir", ".");
                VectorSet set = EuroparlEmbeddings.load(
                        Path.of(a.string("europarl-jar", EuroparlEmbeddings.DEFAULT_JAR.toString())),
                        Path.of(a.string("models-dir", System.getProperty("poisk.models.dir", repo + "/index-data/models"))),
                        a.string("model", "e5-small-v2"), a.integer("limit", 17_000), Math.min(queries, 500),
                        a.integer("max-chars", 300),
                        Path.of(a.string("cache-dir", repo + "/modules/eval/target/bench-cache")));
                print(out, run(set, s), s);
            }
            if (data.equals("javadoc")) {
                // JDK Javadoc sentences, the scale bench's real vectors (embedded once, then read from the cache)
                String repo = System.getProperty("poisk.repo.dir", ".");
                VectorSet set = JavadocSentences.load(Path.of(a.string("src-zip", JavadocSentences.DEFAULT_SRC_ZIP.toString())),
                        Path.of(a.string("models-dir", System.getProperty("poisk.models.dir", repo + "/index-data/models"))),
                        a.string("model", "e5-small-v2"), a.integer("limit", 20_000), Math.min(queries, 500),
                        a.integer("max-chars", 300), Path.of(a.string("cache-dir", repo + "/modules/eval/target/bench-cache")));
                print(out, run(set, s), s);
            }
        } finally {
            deleteTree(work);
        }
    }

    static void printEnvironment(PrintStream out, Settings s) {
        out.printf(Locale.ROOT, "# ANN benchmark: java %s, %d cores, JVector provider %s (jvector.vectorization_provider=%s)%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), jvectorProvider(),
                System.getProperty("jvector.vectorization_provider"));
        out.printf(Locale.ROOT, "# poisk: degree %d, construction beam %d, rescore factor %d, fused PQ (%d dimensions per code)"
                        + " + exact rescoring; lucene: Lucene99HnswVectorsFormat M=%d, beamWidth %d, DOT_PRODUCT; k=%d, 1 search thread%n",
                s.degree(), s.constructionBeam(), s.rescoreFactor(), s.pqSubvectorDims(), s.luceneM(), s.luceneBeam(), s.k());
        out.printf(Locale.ROOT, "# builds: %s%n", s.warmupVectors() > 0
                ? "measured after a thrown-away build of each engine on " + s.warmupVectors() + " vectors (compiled code)"
                : "cold (the first engine built also pays for the JIT)");
    }

    private static String jvectorProvider() {
        try {
            return VectorizationProvider.getInstance().getClass().getSimpleName();
        } catch (RuntimeException e) {
            return "unknown (" + e + ")";
        }
    }

    /** Builds both engines over {@code set}, then measures every beam in rounds. */
    static Result run(VectorSet set, Settings s) throws IOException {
        log.info("{}: {} base x {}-d, {} queries; computing exact top-{}", set.name(), set.base().length,
                set.dimension(), set.queries().length, s.k());
        int[][] truth = ExactNeighbours.topK(set.base(), set.queries(), s.k());
        Path dir = Files.createTempDirectory(s.workDir(), "run");
        List<BuildStats> builds = new ArrayList<>();
        warmUp(set, s, dir.resolve("warm-up"));
        try (PoiskAnnSubject poisk = new PoiskAnnSubject(dir.resolve("poisk"), s.degree(), s.constructionBeam(), s.rescoreFactor(),
                s.pqMinVectors(), s.pqSubvectorDims());
             AnnSubject lucene = new LuceneHnswSubject(dir.resolve("lucene"), s.luceneM(), s.luceneBeam())) {
            long heapBefore = settledHeap();
            builds.add(build(poisk, set, heapBefore));
            builds.add(build(lucene, set, heapBefore + builds.getFirst().heapBytes()));
            List<OperatingPoint> points = new ArrayList<>();
            for (int beam : s.beams()) {
                // poisk loads the k hit documents as a search did before the engine loaded only the page;
                // poisk-ids is the index as the engine now calls it (ids and scores, documents read for the page later).
                List<AnnSubject> subjects = s.withDocuments() ? List.of(poisk, poisk.candidatesOnly(), lucene)
                        : List.of(poisk.candidatesOnly(), lucene);
                for (OperatingPoint p : measureInterleaved(subjects, beam, set.queries(), truth, s.k(), s.rounds())) {
                    log.info("{} beam {}: recall {} qps {} (by CPU time {})", p.engine(), beam,
                            String.format(Locale.ROOT, "%.4f", p.recall()), String.format(Locale.ROOT, "%.0f", p.qps()),
                            String.format(Locale.ROOT, "%.0f", p.cpuQps()));
                    points.add(p);
                }
            }
            return new Result(set, builds, points);
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * Builds both engines once over the first {@code s.warmupVectors()} base vectors and throws the builds away, so
     * that the measured builds run compiled code, as in a server that has been up a while. Without it the first
     * engine built pays for compiling every path both share (the JDK's, the file writes) and its own: 5-8 s of JIT
     * CPU on a 20k-vector Poisk build, where Lucene's, built second, paid about 1 s (session 14, -XX:+CITime).
     */
    private static void warmUp(VectorSet set, Settings s, Path dir) throws IOException {
        int n = Math.min(s.warmupVectors(), set.base().length);
        if (n < 1) return;
        float[][] slice = java.util.Arrays.copyOf(set.base(), n);
        try (AnnSubject poisk = new PoiskAnnSubject(dir.resolve("poisk"), s.degree(), s.constructionBeam(), s.rescoreFactor(),
                s.pqMinVectors(), s.pqSubvectorDims());
             AnnSubject lucene = new LuceneHnswSubject(dir.resolve("lucene"), s.luceneM(), s.luceneBeam())) {
            for (AnnSubject subject : List.of(poisk, lucene)) {
                long c0 = processCpuNanos();
                subject.build(slice);
                log.info("{} warm-up build of {} vectors: {} ms of CPU", subject.name(), n, (processCpuNanos() - c0) / 1_000_000);
            }
        } finally {
            deleteTree(dir);
        }
    }

    private static BuildStats build(AnnSubject subject, VectorSet set, long heapBefore) throws IOException {
        long c0 = processCpuNanos();
        long jit0 = CompilerThreads.cpuNanos();
        long t0 = System.nanoTime();
        subject.build(set.base());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long cpuMs = (processCpuNanos() - c0) / 1_000_000;
        long jitMs = jit0 < 0 ? 0 : (CompilerThreads.cpuNanos() - jit0) / 1_000_000;
        long heap = settledHeap() - heapBefore;
        log.info("{} built {} vectors in {} ms ({} ms of CPU, all threads, of which the JIT compilers {} ms); largest files (MiB): {}",
                subject.name(), set.base().length, ms, cpuMs, jitMs, DirectorySize.largest(subject.directory(), 4));
        return new BuildStats(subject.name(), ms, cpuMs, jitMs, subject.diskBytes(), subject.indexBytes(), heap);
    }

    /** Queries per turn when the engines alternate. */
    private static final int CHUNK = 25;

    /**
     * Times the engines at one beam on this thread, alternating between them every {@value #CHUNK} queries
     * over {@code passes} passes of the query set, so that load from other processes on a shared machine
     * hits them alike; recall comes from the first pass.
     */
    static List<OperatingPoint> measureInterleaved(List<AnnSubject> subjects, int beam, float[][] queries, int[][] truth,
                                                   int k, int passes) throws IOException {
        int n = subjects.size();
        for (AnnSubject subject : subjects) {
            subject.useBeam(beam);
            for (int i = 0; i < Math.min(queries.length, 200); i++) subject.search(queries[i], k);
        }
        long[] nanos = new long[n];
        long[] cpuNanos = new long[n];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] recall = new double[n];
        for (int pass = 0; pass < passes; pass++) {
            for (int from = 0; from < queries.length; from += CHUNK) {
                int to = Math.min(queries.length, from + CHUNK);
                for (int e = 0; e < n; e++) {
                    int[][] found = new int[to - from][];
                    long c0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    for (int i = from; i < to; i++) found[i - from] = subjects.get(e).search(queries[i], k);
                    nanos[e] += System.nanoTime() - t0;
                    cpuNanos[e] += threads.getCurrentThreadCpuTime() - c0;
                    if (pass == 0) for (int i = from; i < to; i++) recall[e] += ExactNeighbours.recall(truth[i], found[i - from], k);
                }
            }
        }
        List<OperatingPoint> out = new ArrayList<>(n);
        for (int e = 0; e < n; e++) {
            out.add(new OperatingPoint(subjects.get(e).name(), beam, recall[e] / queries.length,
                    (double) passes * queries.length / (nanos[e] / 1e9), (double) passes * queries.length / (cpuNanos[e] / 1e9)));
        }
        return out;
    }

    /** CPU time of this process, all threads (the build runs on several): unlike the wall clock, not inflated by waiting for a core. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static long settledHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static void print(PrintStream out, Result r, Settings s) {
        out.printf(Locale.ROOT, "%n## %s: %d base vectors x %d-d, %d queries, recall@%d vs exact%n", r.set().name(),
                r.set().base().length, r.set().dimension(), r.set().queries().length, s.k());
        out.printf(Locale.ROOT, "%-8s %10s %12s %12s %12s %12s %12s%n", "engine", "build s", "build CPU s", "of it JIT s",
                "disk MiB", "index MiB", "heap MiB");
        for (BuildStats b : r.builds()) {
            out.printf(Locale.ROOT, "%-8s %10.1f %12.1f %12.1f %12.1f %12.1f %12.1f%n", b.engine(), b.buildMillis() / 1e3,
                    b.cpuMillis() / 1e3, b.jitMillis() / 1e3, b.diskBytes() / 1048576.0, b.indexBytes() / 1048576.0,
                    b.heapBytes() / 1048576.0);
        }
        BuildStats poiskBuild = r.builds().stream().filter(b -> b.engine().equals("poisk")).findFirst().orElse(null);
        BuildStats luceneBuild = r.builds().stream().filter(b -> b.engine().equals("lucene")).findFirst().orElse(null);
        if (poiskBuild != null && luceneBuild != null) {
            out.printf(Locale.ROOT, "build CPU ratio poisk/lucene: %.2fx; without the JIT compilers' threads %.2fx%n",
                    poiskBuild.cpuMillis() / (double) luceneBuild.cpuMillis(),
                    (poiskBuild.cpuMillis() - poiskBuild.jitMillis()) / (double) (luceneBuild.cpuMillis() - luceneBuild.jitMillis()));
        }
        RecallCurve lucene = new RecallCurve(r.of("lucene"));
        out.printf(Locale.ROOT, "%-9s %6s %10s %10s %10s %10s %18s%n", "engine", "beam", "recall", "QPS", "CPU QPS", "µs/query", "lucene QPS@recall");
        for (OperatingPoint p : r.points().stream().sorted((x, y) -> x.engine().equals(y.engine())
                ? Integer.compare(x.beam(), y.beam()) : y.engine().compareTo(x.engine())).toList()) {
            String peer = "";
            if (!p.engine().equals("lucene")) {
                double l = lucene.qpsAt(p.recall());
                peer = Double.isNaN(l) ? "n/a (above lucene max)"
                        : String.format(Locale.ROOT, "%.0f -> ratio %.2fx%s", l, p.qps() / l,
                        p.recall() < lucene.minRecall() ? " (lucene at its lowest, higher recall)" : "");
            }
            out.printf(Locale.ROOT, "%-9s %6d %10.4f %10.0f %10.0f %10.0f   %s%n", p.engine(), p.beam(), p.recall(), p.qps(),
                    p.cpuQps(), 1e6 / p.qps(), peer);
        }
        RecallCurve luceneCpu = new RecallCurve(r.of("lucene").stream().map(OperatingPoint::byCpu).toList());
        for (String engine : r.points().stream().map(OperatingPoint::engine).filter(e -> !e.equals("lucene")).distinct().toList()) {
            RecallCurve poisk = new RecallCurve(r.of(engine));
            RecallCurve poiskCpu = new RecallCurve(r.of(engine).stream().map(OperatingPoint::byCpu).toList());
            for (double target : RECALL_TARGETS) {
                double pq = poisk.qpsAt(target), lq = lucene.qpsAt(target);
                double pc = poiskCpu.qpsAt(target), lc = luceneCpu.qpsAt(target);
                if (target < Math.max(poisk.minRecall(), lucene.minRecall()) - 0.05) continue;
                out.printf(Locale.ROOT, "QPS ratio %s/lucene at recall %.2f: %s (%s %s, lucene %s); by CPU time %s (%s, %s)%n",
                        engine, target, ratio(pq, lq), engine, fmt(pq), fmt(lq), ratio(pc, lc), fmt(pc), fmt(lc));
            }
        }
    }

    private static String ratio(double poisk, double lucene) {
        return Double.isNaN(poisk) || Double.isNaN(lucene) ? "n/a" : String.format(Locale.ROOT, "%.2fx", poisk / lucene);
    }

    private static String fmt(double qps) {
        return Double.isNaN(qps) ? "not reached" : String.format(Locale.ROOT, "%.0f", qps);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
