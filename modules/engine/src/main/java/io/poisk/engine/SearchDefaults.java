package io.poisk.engine;

import io.poisk.core.SearchMode;
import io.poisk.index.Fusion;

/** The one set of search defaults: every front end, the evaluation harness and the planner use these. */
public final class SearchDefaults {
    /** Hits per page when a request names no k. */
    public static final int K = 10;

    /** The mode when a request names none: dense and lexical fused. */
    public static final SearchMode MODE = SearchMode.HYBRID;

    /** Hybrid fusion when a request names none: the index's one default (see {@link Fusion#DEFAULT} for why). */
    public static final Fusion.Weighted FUSION = Fusion.DEFAULT;

    /** The k of reciprocal rank fusion when {@code {"method":"rrf"}} names none. */
    public static final int RRF_K = Fusion.DEFAULT_RRF_K;

    private SearchDefaults() {
    }
}
