package io.poisk.index;

import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;

/**
 * The scores a graph is built by: JVector's builder prunes and back-links with them ({@link BuildScoreProvider}),
 * and {@link GraphInserter} walks with {@link #scoresToNode}. Every score of one graph comes from one of these.
 */
interface BuildScores extends BuildScoreProvider {
    /** The scores of every node against the vector of {@code node}. */
    ScoreFunction.ExactScoreFunction scoresToNode(int node);
}
