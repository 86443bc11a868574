package io.poisk.index;

import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.graph.similarity.SearchScoreProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;

/**
 * The scores a graph is built by: JVector's builder prunes and back-links with them ({@link BuildScoreProvider}),
 * and {@link GraphInserter} walks with {@link #scoresToNode}. Every score of one graph comes from one of these, and
 * they are final: nothing reranks them ({@link #isExact}).
 */
interface BuildScores extends BuildScoreProvider {
    /** The scores of every node against the vector of {@code node}. */
    ScoreFunction.ExactScoreFunction scoresToNode(int node);

    /** The scores of every node against {@code query}. */
    ScoreFunction.ExactScoreFunction scoresTo(float[] query);

    @Override
    default boolean isExact() {
        return true;
    }

    @Override
    default SearchScoreProvider searchProviderFor(VectorFloat<?> vector) {
        float[] query = new float[vector.length()];
        for (int d = 0; d < query.length; d++) query[d] = vector.get(d);
        return new DefaultSearchScoreProvider(scoresTo(query));
    }

    @Override
    default SearchScoreProvider searchProviderFor(int node) {
        return new DefaultSearchScoreProvider(scoresToNode(node));
    }

    @Override
    default SearchScoreProvider diversityProviderFor(int node) {
        return searchProviderFor(node);
    }

    @Override
    default ScoreFunction diversityScoreFunctionFor(int node) {
        return scoresToNode(node);
    }
}
