package io.poisk.index;

import io.github.jbellis.jvector.disk.ReaderSupplierFactory;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.NodeArray;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts a merge's graph from the largest input's graph instead of from nothing: the on-disk graph (every layer,
 * every node, deleted ones included) is written in JVector's on-heap graph format (version 4) to a scratch file and
 * loaded into an empty {@link GraphIndexBuilder}, whose ordinals must then be the segment's own (0..size-1). The
 * caller adds the other inputs' vectors with a {@link GraphInserter}, then marks the deleted nodes and calls
 * {@code cleanup()}, which reconnects around the deleted ones: the merge searches only for the new nodes.
 *
 * <p>Why a file: {@link GraphIndexBuilder#load} is JVector's only public way to fill a builder with an existing graph,
 * and it reads that format. The file lies beside the segments (a crash leaves it to start-up's orphan sweep) and
 * holds 8 bytes per edge, never the vectors. The stored scores are not read back: the builder rescores every edge,
 * and wants each list best first by its scores, so the lists are written in that order: a segment's lists are in the
 * order of the scores that built it, which are not the merge's where they came from older code (built by
 * {@link ExactScores}, before {@link Int8Scores}).
 */
final class GraphSeed {
    /** The on-heap graph format version {@link GraphIndexBuilder#load} reads, written after {@link OnHeapGraphIndex#MAGIC}. */
    private static final int FORMAT_VERSION = 4;

    private GraphSeed() {
    }

    /** Whether {@code graph} can seed a builder of level-0 degree {@code degree}: same degree, so no list overflows. */
    static boolean fits(OnDiskGraphIndex graph, int degree) {
        return graph.getIdUpperBound() > 0 && graph.getDegree(0) == degree;
    }

    /**
     * Loads {@code graph} into {@code builder} (which must be empty and score by {@code scores}) through a scratch file
     * in {@code scratchDir}.
     */
    static void load(OnDiskGraphIndex graph, GraphIndexBuilder builder, BuildScores scores, Path scratchDir) throws IOException {
        Path scratch = Files.createTempFile(scratchDir, "merge-seed-", ".graph");
        try {
            write(graph, scores, scratch);
            try (var readers = ReaderSupplierFactory.open(scratch); var in = readers.get()) {
                builder.load(in);
            }
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    private static void write(OnDiskGraphIndex graph, BuildScores scores, Path file) throws IOException {
        try (var out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
             var view = graph.getView()) {
            int layers = graph.getMaxLevel() + 1;
            out.writeInt(OnHeapGraphIndex.MAGIC);
            out.writeInt(FORMAT_VERSION);
            out.writeInt(layers);
            for (int level = 0; level < layers; level++) out.writeInt(graph.getDegree(level));
            var entry = view.entryNode();
            out.writeInt(entry == null ? -1 : entry.node);
            for (int level = 0; level < layers; level++) {
                out.writeInt(graph.size(level));
                for (var nodes = graph.getNodes(level); nodes.hasNext(); ) {
                    int node = nodes.nextInt();
                    var neighbors = view.getNeighborsIterator(level, node);
                    var score = scores.scoresToNode(node);
                    NodeArray best = new NodeArray(neighbors.size());
                    while (neighbors.hasNext()) {
                        int neighbor = neighbors.nextInt();
                        best.insertSorted(neighbor, score.similarityTo(neighbor));
                    }
                    out.writeInt(node);
                    out.writeInt(best.size());
                    for (int i = 0; i < best.size(); i++) {
                        out.writeInt(best.getNode(i));
                        out.writeFloat(0f); // rescored on load
                    }
                }
            }
        }
    }
}
