package io.poisk.engine;

import io.poisk.core.CollectionSchema;
import io.poisk.core.ErrorCode;
import io.poisk.core.SearchMode;
import io.poisk.core.PoiskException;
import io.poisk.index.CollectionIndex;
import io.poisk.index.CollectionOptions;
import io.poisk.index.Fusion;

/**
 * Resolves a request against its collection into a {@link SearchPlan}: mode and fusion defaults, the
 * filter, and the rerank step (the request's choice against the collection's default reranker). Every
 * bad input fails here, before any inference, so a bad query costs nothing.
 */
final class QueryPlanner {
    private final ModelCards cards;
    private final int defaultTopN;

    QueryPlanner(ModelCards cards, int defaultTopN) {
        this.cards = cards;
        this.defaultTopN = defaultTopN;
    }

    /** Blocking-free, but it reads the collection's options: call it where the collection was looked up. */
    SearchPlan plan(SearchRequest request, CollectionIndex index, boolean asYouType) {
        request = withVector(request, index);
        if (request.query() == null && request.rerank() instanceof RerankChoice.Given) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'rerank' needs a 'query' text (a reranker reads the query and"
                    + " each hit's text); send a 'query' with the 'vector', or leave 'rerank' out");
        }
        // A vector alone has no text to rerank by: the collection's default reranker sits this one out.
        RerankRequest rerank = request.query() == null ? null : rerank(request, index.schema().name(), index.options().rerank());
        Fusion fusion = request.fusion() == null ? SearchDefaults.FUSION : request.fusion();
        int depth = rerank == null ? request.end() : Math.max(request.end(), rerank.topN());
        return new SearchPlan(request, index, index.parseFilter(request.filter()), fusion, depth, rerank, asYouType);
    }

    /**
     * The request checked against the collection's vectors: a given vector must fit them; a collection without a
     * model has no way to embed a text, so hybrid without a vector runs lexically (the reply says so) and dense
     * without one is a 400.
     */
    private static SearchRequest withVector(SearchRequest request, CollectionIndex index) {
        CollectionSchema schema = index.schema();
        if (request.vector() != null) {
            if (request.mode() != SearchMode.LEXICAL) GivenVectors.checkQuery(schema, request.vector());
            return request;
        }
        if (schema.hasModel()) return request;
        return switch (request.mode()) {
            case LEXICAL -> request;
            case HYBRID -> request.withMode(SearchMode.LEXICAL);
            case DENSE -> throw new PoiskException(ErrorCode.INVALID_QUERY, "collection '" + schema.name() + "' has no model to embed"
                    + " the query: dense search needs a 'vector' of " + schema.dimension() + " numbers (or mode lexical for the text)");
        };
    }

    /**
     * Absent takes the collection's default, false none, an object with a model is that reranker alone (as on
     * a collection without a default), an object with only top_n the default's model with that top_n. A
     * default's top_n is raised to k when k is larger; a request's own top_n is already checked to be at least k.
     * Null when the search is not reranked; else with its top_n resolved. Sharded collections (whose options live in
     * the cluster's catalog) take the same rule through {@link PoiskEngine#rerankFor}.
     */
    RerankRequest rerank(SearchRequest request, String collection, CollectionOptions.DefaultRerank byDefault) {
        int k = request.end(); // a later page is cut from the same reranked list, so top_n covers it too
        RerankRequest rerank = switch (request.rerank()) {
            case RerankChoice.Off off -> null;
            case RerankChoice.CollectionDefault d -> byDefault == null ? null : new RerankRequest(byDefault.model(), defaultTopN(byDefault, k));
            case RerankChoice.Given given -> given(given.request(), byDefault, collection, k);
        };
        if (rerank == null) return null;
        boolean modelGiven = request.rerank() instanceof RerankChoice.Given given && given.request().model() != null;
        if (modelGiven) {
            cards.reranker(rerank.model());
        } else {
            checkDefault(collection, rerank.model());
        }
        return new RerankRequest(rerank.model(), Math.max(k, rerank.topN(k, defaultTopN)));
    }

    /** A request's rerank object; without a model, the collection default's model (and top_n unless the request gives one). */
    private RerankRequest given(RerankRequest request, CollectionOptions.DefaultRerank byDefault, String collection, int k) {
        if (request.model() != null) return request;
        if (byDefault == null) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'rerank.model' is missing and collection '" + collection
                    + "' has no default reranker; name one: " + ModelCards.names(cards.rerankerIds()));
        }
        return new RerankRequest(byDefault.model(), request.topN() != null ? request.topN() : defaultTopN(byDefault, k));
    }

    private static Integer defaultTopN(CollectionOptions.DefaultRerank byDefault, int k) {
        return byDefault.topN() == null ? null : Math.max(byDefault.topN(), k);
    }

    /** A collection's default reranker whose card was removed since is a 400 that says how to search anyway. */
    private void checkDefault(String collection, String model) {
        try {
            cards.reranker(model);
        } catch (PoiskException e) {
            throw new PoiskException(e.code(), "the default reranker of collection '" + collection + "' is not available: "
                    + e.getMessage() + "; send \"rerank\":false to search without it or name another reranker");
        }
    }
}
