package io.poisk.server;

import io.poisk.core.Hit;
import io.poisk.core.SearchMode;
import io.poisk.core.SearchRequest;
import io.poisk.index.CollectionIndex;
import io.poisk.index.Filter;
import io.poisk.index.Fusion;

import java.util.List;

/**
 * The first stage of a query, split into the steps the engine schedules apart: checking the filter
 * against the collection's declared fields (before any inference, so a bad filter costs nothing),
 * whether the query needs embedding at all (lexical mode does not), and the index search itself.
 */
final class QueryRetrieval {
    /**
     * Hybrid fusion when a request names none: min-max normalised scores, dense 0.2, lexical 0.8.
     * Measured on XQuAD-ru with the default model (the app's HybridFusionBench; nDCG@10): dense 0.261,
     * lexical 0.954, RRF k=60 0.642 (RRF lets the weak list outvote the strong one), weighted 0.1-0.3
     * dense a flat optimum 0.951-0.953; 0.2 is its middle, the least sensitive to where its edges move
     * on other data. Russian only: the English XQuAD is not available here.
     */
    static final Fusion DEFAULT_FUSION = new Fusion.Weighted(0.2, 0.8);

    /** A collection and the request's filter, parsed against its declared fields (null: no filter). */
    record Target(CollectionIndex index, Filter filter) {
    }

    private QueryRetrieval() {
    }

    /** Parses the filter; an undeclared field, a wrong type or a bad operator is an INVALID_QUERY (400). Blocking-free. */
    static Target target(CollectionIndex index, SearchRequest request) {
        return new Target(index, index.parseFilter(request.filter()));
    }

    /** Dense and hybrid need the query vector; lexical search runs on the text alone. */
    static boolean needsEmbedding(SearchRequest request) {
        return request.mode() != SearchMode.LEXICAL;
    }

    /** Runs the index search (blocking: call it on the disk executor); {@code vector} is null for lexical mode. */
    static List<Hit> search(Target target, SearchQuery query, float[] vector, int depth) {
        SearchRequest r = query.request();
        Fusion fusion = query.fusion() == null ? DEFAULT_FUSION : query.fusion();
        io.poisk.index.SearchQuery indexQuery = new io.poisk.index.SearchQuery(r.mode(),
                r.mode() == SearchMode.LEXICAL ? null : vector, r.mode() == SearchMode.DENSE ? null : r.query(),
                depth, target.filter(), fusion);
        return target.index().search(indexQuery).hits();
    }
}
