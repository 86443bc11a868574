package io.poisk.eval.bench;

import io.poisk.index.IndexOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scale benchmark (issue 14): N vectors of a real embedding model's space, ingested over HTTP into a real Poisk
 * server process, at several N, so that the cost per vector and its growth can be read off and projected.
 *
 * <p>The vectors: B real e5-small-v2 embeddings (JDK Javadoc sentences, {@link JavadocSentences}, or Lucene's
 * europarl lines where that jar is at hand), each repeated with Gaussian noise whose norm is {@code --noise-ratio}
 * times the real set's median nearest-neighbour distance ({@link NoisyCopies}); queries are held-out real query
 * embeddings with the same noise. Ground truth by brute force.
 *
 * <p>Per N: a server with a fixed heap ({@code --xmx}) and its own data folder, a model-less cosine collection,
 * {@code --streams} concurrent NDJSON connections; then the wait until flushes and merges settle (its meters
 * unchanged for 15 s), heap after a full GC against the empty server (bytes per vector), RSS, disk (segments = the
 * index, documents = the document store, wal), HTTP vector-search latency at one client. The server is stopped and
 * its collection opened in this JVM to be measured by CPU time beside Lucene HNSW on the same vectors, as
 * {@link AnnBenchmark} measures (recall@k against QPS at several beams, engines alternating), first as the server
 * left it, then with {@code --force-merge true} after merging it into one segment as Lucene's peer is.
 *
 * <pre>modules/eval/bench/run-bench.sh scale --sizes 100000,300000 [--real 20000 --queries 500 --xmx 2g --streams 4
 *     --noise-ratio 1.0 --beams 10,20,40,80,160,320 --rounds 2 --force-merge true --texts jdk|europarl --work DIR
 *     --server-config limits.idle_timeout_ms=0,... --keep false --reuse false --lucene-served false]</pre>
 *
 * <p>{@code --lucene-served true} also measures Lucene as IndexWriter's defaults leave the same vectors (several
 * segments, no forced merge), the peer of a served collection's layout.
 *
 * <p>{@code --keep true} leaves each size's data folder in place; {@code --reuse true} then skips the server and
 * measures that folder's collection against Lucene again (e.g. with other search settings).
 */
public final class ScaleBenchmark {
    private static final Logger log = LoggerFactory.getLogger(ScaleBenchmark.class);
    private static final long PROJECT_TO = 10_000_000L;
    private static final String COLLECTION = "scale";

    /** Everything measured at one N (filled in as the run goes). */
    static final class Figures {
        final int n;
        final String loadStart;
        String loadEnd = "";
        double ingestSeconds, settleSeconds, serverCpuSeconds, httpP50Ms, httpP99Ms, httpRecall;
        double poiskCpuQps = Double.NaN, luceneCpuQps = Double.NaN, mergedCpuQps = Double.NaN, mergedLuceneCpuQps = Double.NaN;
        double mergeCpuSeconds, luceneBuildCpuSeconds;
        /** --lucene-served true: Lucene as IndexWriter's defaults leave it (several segments); NaN otherwise. */
        double luceneServedCpuQps = Double.NaN, luceneServedBuildCpuSeconds = Double.NaN;
        int luceneServedSegments;
        long segments, heapBytes, rssBytes, diskBytes, indexBytes, documentBytes, walBytes, luceneIndexBytes;

        Figures(int n, String loadStart) {
            this.n = n;
            this.loadStart = loadStart;
        }

        double docsPerSecond() {
            return n / ingestSeconds;
        }
    }

    private ScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        List<Integer> sizes = a.integers("sizes", "100000,300000");
        int k = a.integer("k", 10);
        int realCount = a.integer("real", 20_000);
        int queryCount = a.integer("queries", 500);
        double noiseRatio = Double.parseDouble(a.string("noise-ratio", "1.0"));
        long seed = a.integer("seed", 14);
        String repo = System.getProperty("poisk.repo.dir", ".");
        Path models = Path.of(a.string("models-dir", System.getProperty("poisk.models.dir", repo + "/index-data/models")));
        Path cache = Path.of(a.string("cache-dir", repo + "/modules/eval/target/bench-cache"));
        Path work = Files.createDirectories(Path.of(a.string("work", repo + "/modules/eval/target/scale-bench")));
        String model = a.string("model", "e5-small-v2");
        VectorSet real = a.string("texts", "jdk").equals("europarl")
                ? EuroparlEmbeddings.load(Path.of(a.string("europarl-jar", EuroparlEmbeddings.DEFAULT_JAR.toString())), models, model,
                realCount, queryCount, 300, cache)
                : JavadocSentences.load(Path.of(a.string("src-zip", JavadocSentences.DEFAULT_SRC_ZIP.toString())), models, model,
                realCount, queryCount, 300, cache);
        int dim = real.dimension();
        double nn = NoisyCopies.medianNearestDistance(real.base(), 2_000);
        double sigma = NoisyCopies.sigmaFor(nn, noiseRatio, dim);
        int maxN = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        float[][] all = new NoisyCopies(real.base(), sigma, seed).first(maxN);
        float[][] queries = new NoisyCopies(real.queries(), sigma, seed + 1).first(real.queries().length);
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "# scale benchmark: %s, %d real base + %d real queries, %d-d; median nearest-neighbour distance of the real"
                        + " base %.4f; noise sigma %.5f per dimension = norm %.4f (%.2f x that distance); seed %d; java %s, %d cores%n",
                real.name(), real.base().length, real.queries().length, dim, nn, sigma, sigma * Math.sqrt(dim), noiseRatio, seed,
                Runtime.version(), Runtime.getRuntime().availableProcessors());

        List<Figures> figures = new ArrayList<>();
        for (int n : sizes) {
            Figures f = runOne(a, Arrays.copyOf(all, n), queries, real.base().length, k, work.resolve("n" + n), Path.of(repo), out);
            figures.add(f);
            printLine(out, f);
        }
        out.printf(Locale.ROOT, "%n## summary%n");
        for (Figures f : figures) printLine(out, f);
        printSlopes(out, figures);
    }

    private static Figures runOne(BenchArgs a, float[][] base, float[][] queries, int realCount, int k, Path dir, Path repo,
                                  PrintStream out) throws Exception {
        int n = base.length;
        // --reuse true: measure again the collection a --keep true run left (its server figures are not repeated).
        boolean reuse = Boolean.parseBoolean(a.string("reuse", "false")) && Files.isDirectory(dir.resolve("data"));
        if (!reuse) deleteTree(dir);
        String loadStart = loadAverage();
        log.info("N={}: exact top-{} of {} queries (load {})", n, k, queries.length, loadStart);
        int[][] truth = ExactNeighbours.topK(base, queries, k);
        out.printf(Locale.ROOT, "%n## N = %d (load average at start %s)%n", n, loadStart);
        out.printf(Locale.ROOT, "true top-%d of a query: %.2f distinct real texts on average (%d copies of each)%n", k,
                distinctSources(truth, realCount), (n + realCount - 1) / realCount);

        Path data = dir.resolve("data");
        Figures f = new Figures(n, loadStart);
        if (!reuse) try (ServerProcess server = ServerProcess.start(repo, data, a.string("xmx", "2g"), serverConfig(a.string("server-config", "")))) {
            HttpVectors http = new HttpVectors(server::uri, COLLECTION);
            http.create(base[0].length);
            long heap0 = server.heapAfterFullGc();
            long rss0 = server.rssBytes();
            double cpu0 = server.cpuSeconds();
            log.info("empty server: heap {} MiB after full GC, RSS {} MiB", heap0 >> 20, rss0 >> 20);
            long t0 = System.nanoTime();
            http.ingest(base, n, a.integer("per-request", 4_000), a.integer("streams", 4));
            f.ingestSeconds = (System.nanoTime() - t0) / 1e9;
            log.info("ingested {} vectors in {} s ({} docs/s)", n, String.format(Locale.ROOT, "%.1f", f.ingestSeconds),
                    String.format(Locale.ROOT, "%.0f", n / f.ingestSeconds));
            out.printf(Locale.ROOT, "ingest: %d requests refused for load (429/503), each resumed %d s later%n",
                    http.retries.get(), HttpVectors.RETRY_AFTER.toSeconds());
            HttpVectors.Maintenance settled = settle(http, server, n, IndexOptions.defaults(), a.integer("settle-minutes", 60));
            f.settleSeconds = (System.nanoTime() - t0) / 1e9 - f.ingestSeconds - 15; // less the 15 s of unchanged meters
            f.serverCpuSeconds = server.cpuSeconds() - cpu0;
            f.segments = settled.segments();
            f.heapBytes = server.heapAfterFullGc() - heap0;
            out.printf(Locale.ROOT, "server heap by class after settling:%n%s%n", server.heapHistogram(12));
            f.rssBytes = server.rssBytes() - rss0;
            Path coll = data.resolve("collections").resolve(COLLECTION);
            f.diskBytes = DirectorySize.of(coll);
            f.indexBytes = DirectorySize.of(coll.resolve("segments"));
            f.documentBytes = Files.exists(coll.resolve("documents")) ? DirectorySize.of(coll.resolve("documents")) : 0;
            f.walBytes = Files.exists(coll.resolve("wal")) ? DirectorySize.of(coll.resolve("wal")) : 0;
            log.info("settled: {}; largest files (MiB): {}", settled, DirectorySize.largest(coll, 5));
            double[] recall = new double[1];
            double[] ms = http.searchLatencies(queries, truth, k, 50, Math.min(500, queries.length), recall);
            f.httpP50Ms = percentile(ms, 0.50);
            f.httpP99Ms = percentile(ms, 0.99);
            f.httpRecall = recall[0];
        }

        // The served collection and Lucene on the same vectors, in this JVM, by CPU time (AnnBenchmark's method).
        List<Integer> beams = a.integers("beams", "10,20,40,80,160,320");
        int rounds = a.integer("rounds", 2);
        Path coll = data.resolve("collections").resolve(COLLECTION);
        try (ServedCollectionSubject poisk = new ServedCollectionSubject(coll, "poisk-served", IndexOptions.defaults());
             LuceneHnswSubject lucene = new LuceneHnswSubject(dir.resolve("lucene"), 16, 100)) {
            long c0 = AnnBenchmark.processCpuNanos();
            lucene.build(base);
            f.luceneBuildCpuSeconds = (AnnBenchmark.processCpuNanos() - c0) / 1e9;
            f.luceneIndexBytes = lucene.indexBytes();
            log.info("lucene built in {} s of CPU, {} MiB", String.format(Locale.ROOT, "%.0f", f.luceneBuildCpuSeconds),
                    f.luceneIndexBytes >> 20);
            out.printf(Locale.ROOT, "poisk as served: %d segments, %d live documents%n", poisk.segmentCount(), poisk.liveDocuments());
            if (Boolean.parseBoolean(a.string("lucene-served", "false"))) {
                try (LuceneHnswSubject luceneServed = LuceneHnswSubject.served(dir.resolve("lucene-served"), 16, 100)) {
                    long s0 = AnnBenchmark.processCpuNanos();
                    luceneServed.build(base);
                    f.luceneServedBuildCpuSeconds = (AnnBenchmark.processCpuNanos() - s0) / 1e9;
                    f.luceneServedSegments = luceneServed.segmentCount();
                    out.printf(Locale.ROOT, "lucene as IndexWriter's defaults leave it: %d segments, built in %.0f s of CPU%n",
                            f.luceneServedSegments, f.luceneServedBuildCpuSeconds);
                    double[] qps = compare(out, List.of(poisk, lucene, luceneServed), beams, queries, truth, k, rounds);
                    f.poiskCpuQps = qps[0];
                    f.luceneCpuQps = qps[1];
                    f.luceneServedCpuQps = qps[2]; // printed with the size's summary line
                }
                deleteTree(dir.resolve("lucene-served"));
            } else {
                double[] qps = compare(out, List.of(poisk, lucene), beams, queries, truth, k, rounds);
                f.poiskCpuQps = qps[0];
                f.luceneCpuQps = qps[1];
            }
            if (Boolean.parseBoolean(a.string("force-merge", "true"))) {
                long m0 = AnnBenchmark.processCpuNanos();
                poisk.mergeToOne();
                f.mergeCpuSeconds = (AnnBenchmark.processCpuNanos() - m0) / 1e9;
                out.printf(Locale.ROOT, "poisk merged to %d segment(s) in %.0f s of CPU%n", poisk.segmentCount(), f.mergeCpuSeconds);
                double[] merged = compare(out, List.of(poisk, lucene), beams, queries, truth, k, rounds);
                f.mergedCpuQps = merged[0];
                f.mergedLuceneCpuQps = merged[1];
            }
        }
        if (!Boolean.parseBoolean(a.string("keep", "false"))) deleteTree(dir);
        else deleteTree(dir.resolve("lucene"));
        f.loadEnd = loadAverage();
        return f;
    }

    /** {@code key=value,key=value} configuration keys for the server (passed as POISK_* environment variables). */
    static Map<String, String> serverConfig(String spec) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            if (pair.isBlank()) continue;
            int eq = pair.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("--server-config wants key=value pairs, got '" + pair + "'");
            out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return out;
    }

    /** Both engines at every beam, interleaved; prints the points and returns each one's CPU-time QPS at recall 0.95. */
    private static double[] compare(PrintStream out, List<AnnSubject> subjects, List<Integer> beams, float[][] queries,
                                    int[][] truth, int k, int rounds) throws IOException {
        List<OperatingPoint> points = new ArrayList<>();
        for (int beam : beams) {
            for (OperatingPoint p : AnnBenchmark.measureInterleaved(subjects, beam, queries, truth, k, rounds)) {
                out.printf(Locale.ROOT, "  %-13s beam %4d: recall@%d %.4f, QPS %.0f, by CPU time %.0f%n", p.engine(), beam, k,
                        p.recall(), p.qps(), p.cpuQps());
                points.add(p);
            }
        }
        double[] at95 = new double[subjects.size()];
        for (int i = 0; i < at95.length; i++) {
            String name = subjects.get(i).name();
            at95[i] = new RecallCurve(points.stream().filter(p -> p.engine().equals(name)).map(OperatingPoint::byCpu).toList())
                    .qpsAt(0.95);
        }
        return at95;
    }

    /**
     * Polls the collection's meters every 5 s until all {@code n} documents are counted, the live segment is below its flush size,
     * no more segments are left than the merge policy allows, the collection's flush and merge threads
     * are idle, and nothing (segments, live documents, flushes, merges) has changed for three polls in a row; at most
     * {@code minutes}. The meters do not show a flush or merge in progress, so quiet alone would not tell.
     */
    private static HttpVectors.Maintenance settle(HttpVectors http, ServerProcess process, int n, IndexOptions server, int minutes)
            throws Exception {
        long deadline = System.nanoTime() + minutes * 60_000_000_000L;
        HttpVectors.Maintenance last = null;
        int same = 0;
        while (System.nanoTime() < deadline) {
            HttpVectors.Maintenance m = http.maintenance();
            boolean done = m.documents() == n && m.liveDocuments() < server.liveSegmentMaxDocs()
                    && m.segments() <= server.mergeMaxSegments()
                    && !process.busy(List.of("poisk-flush-" + COLLECTION, "poisk-merge-" + COLLECTION));
            same = done && m.equals(last) ? same + 1 : 0;
            if (same >= 3) return m;
            if (!m.equals(last)) log.info("maintenance: {}", m);
            last = m;
            Thread.sleep(5_000);
        }
        throw new IllegalStateException("flushes and merges did not settle within " + minutes + " minutes: " + last);
    }

    /** Mean number of distinct real vectors behind a query's true top-k (1: all copies of one text). */
    static double distinctSources(int[][] truth, int realCount) {
        double sum = 0;
        for (int[] row : truth) {
            Set<Integer> s = new HashSet<>();
            for (int i : row) s.add(i % realCount);
            sum += s.size();
        }
        return sum / truth.length;
    }

    /** Nearest-rank percentile of ascending values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static void printLine(PrintStream out, Figures f) {
        out.printf(Locale.ROOT, "N=%d: ingest %.1f s = %.0f docs/s; settle %.1f s; server CPU %.0f s; %d segments; heap +%.1f MiB"
                        + " = %.1f B/vector; RSS +%.0f MiB; disk %.1f MiB (segments %.1f, documents %.1f, wal %.1f) = %.0f B/vector;"
                        + " HTTP p50 %.2f ms p99 %.2f ms recall@10 %.4f; CPU QPS@0.95 served %.0f vs lucene %.0f (%s),"
                        + " merged %.0f vs %.0f (%s), merge CPU %.0f s; lucene build CPU %.0f s, index %.1f MiB; load %s -> %s%n",
                f.n, f.ingestSeconds, f.docsPerSecond(), f.settleSeconds, f.serverCpuSeconds, f.segments,
                f.heapBytes / 1048576.0, (double) f.heapBytes / f.n, f.rssBytes / 1048576.0, f.diskBytes / 1048576.0,
                f.indexBytes / 1048576.0, f.documentBytes / 1048576.0, f.walBytes / 1048576.0, (double) f.diskBytes / f.n,
                f.httpP50Ms, f.httpP99Ms, f.httpRecall, f.poiskCpuQps, f.luceneCpuQps, ratio(f.poiskCpuQps, f.luceneCpuQps),
                f.mergedCpuQps, f.mergedLuceneCpuQps, ratio(f.mergedCpuQps, f.mergedLuceneCpuQps), f.mergeCpuSeconds,
                f.luceneBuildCpuSeconds, f.luceneIndexBytes / 1048576.0, f.loadStart, f.loadEnd);
        if (!Double.isNaN(f.luceneServedCpuQps)) {
            out.printf(Locale.ROOT, "N=%d: CPU QPS@0.95 served %.0f vs lucene as IndexWriter's defaults leave it %.0f (%s; %d segments,"
                    + " built in %.0f s of CPU)%n", f.n, f.poiskCpuQps, f.luceneServedCpuQps, ratio(f.poiskCpuQps, f.luceneServedCpuQps),
                    f.luceneServedSegments, f.luceneServedBuildCpuSeconds);
        }
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "n/a" : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    /** Per-vector slope of each cost between consecutive sizes, and both projections to 10M from the last two sizes. */
    private static void printSlopes(PrintStream out, List<Figures> figures) {
        if (figures.size() < 2) return;
        record Cost(String name, String unit, double scale, java.util.function.ToDoubleFunction<Figures> of) {
        }
        List<Cost> costs = List.of(
                new Cost("ingest", "s", 1, x -> x.ingestSeconds),
                new Cost("ingest+settle", "s", 1, x -> x.ingestSeconds + x.settleSeconds),
                new Cost("server CPU", "s", 1, x -> x.serverCpuSeconds),
                new Cost("heap", "MiB", 1048576.0, x -> x.heapBytes),
                new Cost("disk", "MiB", 1048576.0, x -> x.diskBytes),
                new Cost("index (segments)", "MiB", 1048576.0, x -> x.indexBytes),
                new Cost("lucene build CPU", "s", 1, x -> x.luceneBuildCpuSeconds));
        for (int i = 1; i < figures.size(); i++) {
            Figures lo = figures.get(i - 1), hi = figures.get(i);
            out.printf(Locale.ROOT, "%n## slope %d -> %d, projection to %,d%n", lo.n, hi.n, PROJECT_TO);
            for (Cost c : costs) {
                ScaleSlope s = new ScaleSlope(lo.n, c.of().applyAsDouble(lo), hi.n, c.of().applyAsDouble(hi));
                double unitPerVector = c.scale() == 1 ? s.perVector() * 1e6 : s.perVector();
                out.printf(Locale.ROOT, "%-17s %s per vector between the sizes; exponent %.2f; at %,d: %.0f %s (line) .. %.0f %s (power law)%n",
                        c.name(), c.scale() == 1 ? String.format(Locale.ROOT, "%.1f µs", unitPerVector)
                                : String.format(Locale.ROOT, "%.1f B", unitPerVector),
                        s.exponent(), PROJECT_TO, s.linearAt(PROJECT_TO) / c.scale(), c.unit(), s.powerLawAt(PROJECT_TO) / c.scale(), c.unit());
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
