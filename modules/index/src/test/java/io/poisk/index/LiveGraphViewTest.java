package io.poisk.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LiveGraphView}: its in-progress bits across pages and under concurrent growth, the walk skipping a node in
 * progress, and a graph built by four threads at once through it whose every node still finds itself.
 */
class LiveGraphViewTest {
    private static final int DIM = 32;
    private static final IndexOptions OPTS = new IndexOptions(16, 64, 64, 2, 10_000, 1_000_000, 100, 1 << 20, 0);

    @Test
    void marksEachNodeAloneAcrossPages() throws Exception {
        try (GraphIndexBuilder builder = GraphInserter.newBuilder(new ExactScores(i -> new float[DIM], () -> 0,
                VectorSimilarityFunction.COSINE), DIM, OPTS, false)) {
            LiveGraphView view = new LiveGraphView((OnHeapGraphIndex) builder.getGraph());
            int[] nodes = {0, 63, 64, 65_535, 65_536, 200_001, Integer.MAX_VALUE - 1};
            for (int n : nodes) assertThat(view.inProgress(n)).isFalse();
            for (int n : nodes) view.begin(n);
            for (int n : nodes) assertThat(view.inProgress(n)).as("node %d", n).isTrue();
            for (int n : new int[]{1, 62, 65, 65_534, 65_537, 200_000}) assertThat(view.inProgress(n)).as("node %d", n).isFalse();
            view.end(65_536);
            assertThat(view.inProgress(65_536)).isFalse();
            assertThat(view.inProgress(65_535)).isTrue();
        }
    }

    @Test
    void concurrentMarksAreNeverLostWhileThePageTableGrows() throws Exception {
        try (GraphIndexBuilder builder = GraphInserter.newBuilder(new ExactScores(i -> new float[DIM], () -> 0,
                VectorSimilarityFunction.COSINE), DIM, OPTS, false)) {
            LiveGraphView view = new LiveGraphView((OnHeapGraphIndex) builder.getGraph());
            int threads = 4, perThread = 150_000;
            AtomicInteger wrong = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int offset = t;
                    done.add(pool.submit(() -> {
                        // Interleaved ids, so every thread grows the table and shares every word with the others.
                        for (int i = 0; i < perThread; i++) {
                            int node = i * threads + offset;
                            view.begin(node);
                            if (!view.inProgress(node)) wrong.incrementAndGet();
                            if (i % 3 != 0) view.end(node);
                        }
                    }));
                }
                for (Future<?> f : done) f.get(2, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
            assertThat(wrong).hasValue(0);
            for (int node = 0; node < threads * perThread; node++) {
                assertThat(view.inProgress(node)).as("node %d", node).isEqualTo((node / threads) % 3 == 0);
            }
        }
    }

    @Test
    void aWalkSkipsANodeInProgressAndFourInsertingThreadsLeaveEveryNodeFindable() throws Exception {
        Random r = new Random(5);
        int n = 6_000;
        List<float[]> base = GraphInserterTest.clustered(r, n);
        var scores = new ExactScores(base::get, base::size, VectorSimilarityFunction.COSINE);
        try (GraphIndexBuilder builder = GraphInserter.newBuilder(scores, DIM, OPTS, false);
             GraphInserter inserter = new GraphInserter(builder, scores, OPTS.constructionBeam())) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            AtomicInteger next = new AtomicInteger();
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) inserter.insert(i);
                    }));
                }
                for (Future<?> f : done) f.get(5, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }
            LiveGraphView view = inserter.view();
            OnHeapGraphWalk walk = new OnHeapGraphWalk();
            int lost = 0;
            for (int i = 0; i < n; i++) {
                SearchResult found = walk.search(view, scores.scoresToNode(i), 1, 32, Bits.ALL);
                if (found.getNodes().length == 0 || found.getNodes()[0].node != i) lost++;
            }
            assertThat(lost).as("nodes that do not find themselves before cleanup").isZero();

            // A node marked in progress is never scored, so never found, even by its own vector.
            int hidden = 1234;
            view.begin(hidden);
            SearchResult found = walk.search(view, scores.scoresToNode(hidden), 10, 64, Bits.ALL);
            assertThat(found.getNodes()).extracting(ns -> ns.node).doesNotContain(hidden).isNotEmpty();
            view.end(hidden);
            assertThat(walk.search(view, scores.scoresToNode(hidden), 1, 64, Bits.ALL).getNodes()[0].node).isEqualTo(hidden);

            builder.cleanup();
            ImmutableGraphIndex graph = builder.getGraph();
            assertThat(GraphInserterTest.recall(graph, scores, base, GraphInserterTest.clustered(r, 200))).isGreaterThan(0.95);
        }
    }
}
