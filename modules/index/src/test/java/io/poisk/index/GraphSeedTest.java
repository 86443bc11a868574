package io.poisk.index;

import io.github.jbellis.jvector.disk.ReaderSupplierFactory;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndexWriter;
import io.github.jbellis.jvector.graph.disk.feature.FeatureId;
import io.github.jbellis.jvector.graph.disk.feature.InlineVectors;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GraphSeed}: a graph written by one kind of build scores (a segment of older code, built by
 * {@link ExactScores}) seeds a builder that scores by {@link Int8Scores}, whose order of each list differs in near
 * ties: every node keeps exactly its neighbours, and JVector's load (which asserts each list is best first by the
 * builder's scores, under {@code -ea} as tests run) accepts them.
 */
class GraphSeedTest {
    @TempDir
    Path dir;

    @Test
    void aGraphBuiltByExactScoresSeedsABuilderScoringCodes() throws Exception {
        Random r = new Random(13);
        List<float[]> base = GraphInserterTest.clustered(r, 3_000);
        int dim = base.getFirst().length;
        IndexOptions opts = new IndexOptions(16, 64, 64, 2, 10_000, 1_000_000, 100, 1 << 20, 0);
        var exact = new ExactScores(base::get, base::size, VectorSimilarityFunction.DOT_PRODUCT);
        Path file = dir.resolve("graph.jvector");
        try (GraphIndexBuilder builder = GraphInserter.newBuilder(exact, dim, opts, false);
             GraphInserter inserter = new GraphInserter(builder, exact, opts.constructionBeam())) {
            for (int i = 0; i < base.size(); i++) inserter.insert(i);
            builder.cleanup();
            try (var writer = new OnDiskGraphIndexWriter.Builder(builder.getGraph(), file).with(new InlineVectors(dim)).build()) {
                Map<FeatureId, IntFunction<io.github.jbellis.jvector.graph.disk.feature.Feature.State>> states = new EnumMap<>(FeatureId.class);
                states.put(FeatureId.INLINE_VECTORS, o -> new InlineVectors.State(LiveSegment.VTS.createFloatVector(base.get(o))));
                writer.write(states);
            }
        }
        var int8 = new Int8Scores(dim, VectorSimilarityFunction.DOT_PRODUCT);
        for (float[] v : base) int8.append(v);
        try (var readers = ReaderSupplierFactory.open(file);
             GraphIndexBuilder seeded = GraphInserter.newBuilder(int8, dim, opts, false)) {
            OnDiskGraphIndex graph = OnDiskGraphIndex.load(readers);
            GraphSeed.load(graph, seeded, int8, dir);
            try (var disk = graph.getView(); var heap = seeded.getGraph().getView()) {
                for (int level = 0; level <= graph.getMaxLevel(); level++) {
                    for (var nodes = graph.getNodes(level); nodes.hasNext(); ) {
                        int node = nodes.nextInt();
                        assertThat(neighbours(heap.getNeighborsIterator(level, node)))
                                .as("level %d node %d", level, node).isEqualTo(neighbours(disk.getNeighborsIterator(level, node)));
                    }
                }
            }
        }
    }

    private static Set<Integer> neighbours(io.github.jbellis.jvector.graph.NodesIterator it) {
        Set<Integer> out = new HashSet<>();
        while (it.hasNext()) out.add(it.nextInt());
        return out;
    }
}
