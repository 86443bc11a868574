package io.poisk.engine;

import io.poisk.core.SearchMode;
import io.poisk.index.Fusion;

/** The one set of search defaults: every front end, the evaluation harness and the planner use these. */
public final class SearchDefaults {
    /** Hits per page when a request names no k. */
    public static final int K = 10;

    /** The mode when a request names none: dense and lexical fused. */
    public static final SearchMode MODE = SearchMode.HYBRID;

    /**
     * Hybrid fusion when a request names none, and the weights of a {@code weighted} fusion that leaves one
     * out: min-max normalised scores, dense 0.2, lexical 0.8. Measured on XQuAD-ru with the default model
     * (the app's HybridFusionBench; nDCG@10): dense 0.261, lexical 0.954, RRF k=60 0.642 (RRF lets the weak
     * list outvote the strong one), weighted 0.1-0.3 dense a flat optimum 0.951-0.953; 0.2 is its middle,
     * the least sensitive to where its edges move on other data. Russian only: the English XQuAD is not available here.
     */
    public static final Fusion.Weighted FUSION = new Fusion.Weighted(0.2, 0.8);

    /** The k of reciprocal rank fusion when {@code {"method":"rrf"}} names none. */
    public static final int RRF_K = Fusion.DEFAULT_RRF_K;

    private SearchDefaults() {
    }
}
