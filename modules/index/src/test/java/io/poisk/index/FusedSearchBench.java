package io.poisk.index;

import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.poisk.core.CollectionSchema;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@link FusedGraphSearch} against JVector's {@code GraphSearcher} on one fused-PQ segment, alternating query sets in
 * one JVM: microseconds per query by thread CPU time and recall@10 at a few beams. Vectors: a float file of the eval
 * bench's cache ({@code -Dbench.base}, {@code -Dbench.queries}; default: the 20,000 Javadoc e5 vectors that
 * {@code run-bench.sh ann-one --data javadoc} caches), or Fashion-MNIST. Prints; asserts nothing.
 * <p>{@code mvn -o -q -pl modules/index test -Dtest=FusedSearchBench -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.rounds=5 -Dbench.beams=20,40,80,160 -Dbench.dir=/tmp/kept
 * -Dbench.variants=poisk,poisk-view,poisk-jvector-decoder,jvector]}
 */
@Tag("bench")
class FusedSearchBench {
    private static final Path CACHE = Path.of("../eval/target/bench-cache");

    @TempDir
    Path tmp;

    static float[][] readFloats(Path file) throws Exception {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            int n = in.readInt(), dim = in.readInt();
            float[][] out = new float[n][dim];
            for (float[] v : out) for (int d = 0; d < dim; d++) v[d] = in.readFloat();
            return out;
        }
    }

    @Test
    void oursAgainstJVectors() throws Exception {
        String set = System.getProperty("bench.set", "javadoc");
        float[][] base, queries;
        if (set.equals("fashion")) {
            base = FashionMnistRecallTest.readImages(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"), 60_000);
            queries = FashionMnistRecallTest.readImages(Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"), 500);
        } else {
            base = readFloats(CACHE.resolve(System.getProperty("bench.base", "javadoc-e5-small-v2-20000-500-300.base.f32")));
            queries = readFloats(CACHE.resolve(System.getProperty("bench.queries", "javadoc-e5-small-v2-20000-500-300.queries.f32")));
        }
        int rounds = Integer.getInteger("bench.rounds", 5);
        int[] beams = java.util.Arrays.stream(System.getProperty("bench.beams", "20,40,80,160").split(",")).mapToInt(Integer::parseInt).toArray();
        int k = 10;
        for (int i = 0; i < base.length; i++) base[i] = UnitVectors.normalized(base[i]);
        for (int i = 0; i < queries.length; i++) queries[i] = UnitVectors.normalized(queries[i]);
        IndexOptions d = IndexOptions.defaults();
        IndexOptions opts = new IndexOptions(d.graphDegree(), d.constructionBeam(), d.searchBeam(), d.rescoreFactor(),
                base.length + 1, Math.min(d.pqMinVectors(), base.length), Integer.MAX_VALUE, d.maxDocumentBytes(), 0)
                .withPqSubvectorDims(Integer.getInteger("bench.pq_subvector_dims", d.pqSubvectorDims()));
        // -Dbench.dir keeps the built collection for the next run (a Fashion-MNIST graph takes minutes to build).
        String kept = System.getProperty("bench.dir");
        Path dir = kept == null ? tmp.resolve("c") : Path.of(kept);
        boolean reuse = kept != null && Files.isDirectory(dir);
        try (CollectionIndex c = reuse ? CollectionIndex.open(dir, opts)
                : CollectionIndex.create(dir, new CollectionSchema("b", "m", base[0].length, "cosine"), opts)) {
            if (!reuse) {
                for (int from = 0; from < base.length; from += 1000) {
                    List<EmbeddedDocument> batch = new ArrayList<>();
                    for (int i = from; i < Math.min(base.length, from + 1000); i++) batch.add(TestVectors.doc("d" + i, base[i]));
                    c.upsert(batch);
                }
                c.flush();
            }
            DiskSegment segment = c.diskSegments().getFirst();
            int[] idOf = new int[base.length];
            for (int o = 0; o < base.length; o++) idOf[o] = Integer.parseInt(segment.idAt(o).substring(1));
            List<Set<Integer>> exact = new ArrayList<>();
            for (float[] q : queries) exact.add(exactTop(base, q, k));
            VectorSpace space = VectorSpace.COSINE;
            var bean = java.lang.management.ManagementFactory.getThreadMXBean();
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s: %d x %d, %d queries%n", set, base.length, base[0].length, queries.length));
            // poisk: records and vectors read by FusedScores and InlineVectorScores; poisk-view: the same PQ scores,
            // records read and the beam rescored through JVector's view
            String[] variants = System.getProperty("bench.variants", "poisk,poisk-view,poisk-jvector-decoder,jvector").split(",");
            if (segment.records() == null) throw new IllegalStateException("the segment's record layout did not check out");
            try (FusedGraphSearch ours = segment.newFusedSearch(true); FusedGraphSearch oursDecoder = segment.newFusedSearch(false);
                 FusedGraphSearch oursView = segment.newFusedSearchThroughView();
                 GraphSearcher theirs = new GraphSearcher(segment.graph())) {
                for (int round = 1; round <= rounds; round++) {
                    for (int beam : beams) {
                        for (String variant : variants) {
                            long cpu = bean.getCurrentThreadCpuTime();
                            int found = 0;
                            long visitedSum = 0, expandedSum = 0;
                            for (int qi = 0; qi < queries.length; qi++) {
                                VectorFloat<?> query = LiveSegment.VTS.createFloatVector(queries[qi]);
                                SearchResult r;
                                if (!variant.equals("jvector")) {
                                    FusedGraphSearch search = switch (variant) {
                                        case "poisk" -> ours;
                                        case "poisk-view" -> oursView;
                                        default -> oursDecoder;
                                    };
                                    r = search.search(search.approximateScores(query, space.approximate()),
                                            search.exactScores(query, space.exact()), k, beam, Bits.ALL);
                                } else {
                                    var view = (OnDiskGraphIndex.View) theirs.getView();
                                    var ssp = new DefaultSearchScoreProvider(view.approximateScoreFunctionFor(query, space.approximate()),
                                            view.rerankerFor(query, space.exact()));
                                    r = theirs.search(ssp, k, beam, VectorSpace.NO_THRESHOLD, VectorSpace.NO_RERANK_FLOOR, Bits.ALL);
                                }
                                visitedSum += r.getVisitedCount();
                                expandedSum += r.getExpandedCount();
                                for (SearchResult.NodeScore ns : r.getNodes()) if (exact.get(qi).contains(idOf[ns.node])) found++;
                            }
                            long us = (bean.getCurrentThreadCpuTime() - cpu) / 1000 / queries.length;
                            out.append(String.format(Locale.ROOT, "round %d beam %3d %-21s recall %.4f  %4d µs/query, scored %d, expanded %d%n", round, beam,
                                    variant, found / (double) (k * queries.length), us, visitedSum / queries.length, expandedSum / queries.length));
                        }
                    }
                }
            }
            System.out.print(out);
        }
    }

    private static Set<Integer> exactTop(float[][] base, float[] q, int k) {
        float[] s = new float[base.length];
        Integer[] idx = new Integer[base.length];
        for (int i = 0; i < base.length; i++) {
            float dot = 0;
            for (int d = 0; d < q.length; d++) dot += base[i][d] * q[d];
            s[i] = dot;
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(s[b], s[a]));
        Set<Integer> out = new HashSet<>();
        for (int i = 0; i < k; i++) out.add(idx[i]);
        return out;
    }
}
