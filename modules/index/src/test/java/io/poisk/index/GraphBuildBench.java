package io.poisk.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * {@link GraphInserter} with {@link ExactScores} against JVector's own {@code addGraphNode} with JVector's scores
 * (and, to tell the two apart, JVector's insertion with our scores), and {@link GraphInserter} building by
 * {@link Int8Scores} as the engine does ({@code ours-int8}), rotating in one JVM on the same vectors and builder
 * parameters (the defaults: degree 30, construction beam 100), all inserting in parallel on the common pool: process
 * CPU seconds for the inserts and for {@code cleanup}, and recall@10 of the graph at a few beams by the same
 * {@link OnHeapGraphWalk} with exact scores. Vectors as {@link FusedSearchBench} takes them. Prints; asserts nothing.
 * <p>{@code mvn -o -q -pl modules/index test -Dtest=GraphBuildBench -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.rounds=3 -Dbench.beams=20,40,80,160 -Dbench.methods=ours-no-refine,ours-int8
 * -Dbench.copies=5]}
 */
@Tag("bench")
class GraphBuildBench {
    private static final Path CACHE = Path.of("../eval/target/bench-cache");
    /** As the engine scores a cosine collection: dot products of unit vectors ({@link VectorSpace#COSINE}). */
    private static final VectorSimilarityFunction COSINE = VectorSpace.COSINE.exact();

    @Test
    void oursAgainstJVectors() throws Exception {
        float[][] base = FusedSearchBench.readFloats(CACHE.resolve(System.getProperty("bench.base", "javadoc-e5-small-v2-20000-500-300.base.f32")));
        float[][] queries = FusedSearchBench.readFloats(CACHE.resolve(System.getProperty("bench.queries", "javadoc-e5-small-v2-20000-500-300.queries.f32")));
        int rounds = Integer.getInteger("bench.rounds", 3);
        int[] beams = java.util.Arrays.stream(System.getProperty("bench.beams", "20,40,80,160").split(",")).mapToInt(Integer::parseInt).toArray();
        IndexOptions opts = IndexOptions.defaults();
        List<float[]> arrays = new ArrayList<>();
        List<VectorFloat<?>> vs = new ArrayList<>();
        // -Dbench.copies=n: each vector n times with Gaussian noise of bench.noise per dimension, as the scale bench
        // makes its collections (a larger, denser set; its default noise is the one it reports for Javadoc)
        int copies = Integer.getInteger("bench.copies", 1);
        float noise = Float.parseFloat(System.getProperty("bench.noise", "0.02044"));
        java.util.Random random = new java.util.Random(14);
        for (int c = 0; c < copies; c++) {
            for (float[] v : base) {
                float[] copy = v.clone();
                if (copies > 1) for (int d = 0; d < copy.length; d++) copy[d] += noise * (float) random.nextGaussian();
                arrays.add(VectorSpace.COSINE.prepare(copy));
                vs.add(LiveSegment.VTS.createFloatVector(arrays.getLast()));
            }
        }

        var vectors = new ListRandomAccessVectorValues(vs, base[0].length);
        var scores = new ExactScores(arrays::get, arrays::size, COSINE);
        var int8 = new Int8Scores(base[0].length, COSINE);
        for (float[] v : arrays) int8.append(v);
        List<float[]> qs = new ArrayList<>();
        for (float[] q : queries) qs.add(VectorSpace.COSINE.prepare(q));
        int[][] truth = new int[qs.size()][];
        for (int i = 0; i < qs.size(); i++) {
            var score = scores.scoresTo(qs.get(i));
            TopScores top = new TopScores(10);
            for (int o = 0; o < vs.size(); o++) top.offer(o, score.similarityTo(o));
            truth[i] = top.toScoredIds(o -> "", VectorSpace.COSINE).stream().mapToInt(Segment.ScoredId::ordinal).toArray();
        }
        System.out.printf(Locale.ROOT, "# %d vectors x %d, degree %d, construction beam %d, %d cores%n", vs.size(),
                base[0].length, opts.graphDegree(), opts.constructionBeam(), Runtime.getRuntime().availableProcessors());
        // ours-no-refine: our insertion without JVector's refinement pass at cleanup (a search per upper-layer node)
        String[] methods = System.getProperty("bench.methods", "ours,ours-no-refine,ours-int8,jvector,jvector-insert+own-scores").split(",");
        for (int round = 0; round < rounds; round++) {
            for (int m = 0; m < methods.length; m++) {
                String method = methods[(m + round) % methods.length];
                BuildScoreProvider provider = method.equals("jvector") ? BuildScoreProvider.randomAccessScoreProvider(vectors, COSINE) : scores;
                BuildScores building = method.equals("ours-int8") ? int8 : scores;
                try (GraphIndexBuilder builder = method.startsWith("ours") ? GraphInserter.newBuilder(building, base[0].length, opts, method.equals("ours"))
                        : new GraphIndexBuilder(provider, base[0].length, opts.graphDegree(), opts.constructionBeam(),
                        GraphInserter.NEIGHBOR_OVERFLOW, GraphInserter.ALPHA, true, true);
                     GraphInserter inserter = new GraphInserter(builder, building, opts.constructionBeam())) {
                    long c0 = cpu(), w0 = System.nanoTime();
                    ForkJoinPool.commonPool().submit(() -> IntStream.range(0, vs.size()).parallel().forEach(i -> {
                        if (method.startsWith("ours")) inserter.insert(i);
                        else builder.addGraphNode(i, vectors.getVector(i));
                    })).join();
                    long c1 = cpu(), w1 = System.nanoTime();
                    builder.cleanup();
                    long c2 = cpu();
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                            "round %d %-26s inserts %5.2f s CPU (%5.2f s wall), cleanup %4.2f s CPU, recall@10 by beam:",
                            round, method, (c1 - c0) / 1e9, (w1 - w0) / 1e9, (c2 - c1) / 1e9));
                    for (int beam : beams) line.append(String.format(Locale.ROOT, " %d=%.4f", beam, recall(builder.getGraph(), scores, qs, truth, beam)));
                    System.out.println(line);
                }
            }
        }
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double recall(ImmutableGraphIndex graph, ExactScores scores, List<float[]> qs, int[][] truth, int beam) {
        OnHeapGraphWalk walk = new OnHeapGraphWalk();
        int hits = 0;
        for (int i = 0; i < qs.size(); i++) {
            SearchResult found = walk.search(graph.getView(), scores.scoresTo(qs.get(i)), 10, beam, Bits.ALL);
            for (SearchResult.NodeScore ns : found.getNodes()) for (int t : truth[i]) if (t == ns.node) hits++;
        }
        return hits / (10.0 * qs.size());
    }
}
