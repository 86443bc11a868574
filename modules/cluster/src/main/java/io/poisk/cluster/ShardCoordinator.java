package io.poisk.cluster;

import io.poisk.core.ErrorCode;
import io.poisk.core.Hit;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchMode;
import io.poisk.engine.PoiskEngine;
import io.poisk.engine.RankedHit;
import io.poisk.engine.RerankChoice;
import io.poisk.engine.RerankRequest;
import io.poisk.engine.ResultShape;
import io.poisk.engine.SearchPage;
import io.poisk.engine.SearchRequest;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A search of a sharded collection on the node that received it: the query is embedded once here, every shard is
 * asked for its first stage ({@link ShardQuery}) with the vector, and when the request names a reranker the merged
 * list is reranked once here ({@link PoiskEngine#rerankHits}) when the request or the collection's default names a
 * reranker, as a local search would rerank its first stage.
 */
final class ShardCoordinator {
    private final PoiskEngine node;
    private final ShardQuery query;

    ShardCoordinator(PoiskEngine node, ShardQuery query) {
        this.node = node;
        this.query = query;
    }

    CompletableFuture<SearchPage> search(ShardSpec s, SearchRequest request, Map<Integer, Long> after, long deadlineNanos) {
        RerankRequest rerank = rerank(s, request);
        SearchRequest asked = request;
        CompletableFuture<float[]> vector;
        if (request.vector() != null || request.mode() == SearchMode.LEXICAL) {
            vector = CompletableFuture.completedFuture(request.vector());
        } else if (!s.schema().hasModel()) {
            asked = with(request, SearchMode.LEXICAL, request.k(), request.offset(), request.shape()); // as a local collection without a model
            vector = CompletableFuture.completedFuture(null);
        } else {
            vector = node.embedQuery(s.model(), request.query(), request.instruction());
        }
        SearchMode ranAs = asked.mode() == request.mode() ? null : asked.mode();
        // With a rerank the shards return the first top_n hits with their texts (the reranker reads them), from rank 1.
        SearchRequest shards = rerank == null ? asked
                : with(asked, asked.mode(), Math.max(asked.end(), rerank.topN()), 0, new ResultShape(true, asked.shape().fields(),
                asked.shape().snippetChars()));
        return vector.thenCompose(v -> query.search(s, shards, v, after, deadlineNanos).toCompletionStage())
                .thenCompose(page -> rerank == null ? CompletableFuture.completedFuture(page)
                        : node.rerankHits(rerank.model(), request.query(), request.instruction(), page.plainHits(), request.offset(), request.end())
                        .thenApply(reranked -> new SearchPage(shaped(reranked.hits(), request.shape()), page.tookMs() + reranked.tookMs(),
                                reranked.rerank(), null, page.shards())))
                .thenApply(page -> ranAs == null ? page : new SearchPage(page.hits(), page.tookMs(), page.rerank(), ranAs, page.shards()));
    }

    /** The request's rerank step with its top_n resolved, by the rule of local searches; null without one. */
    private RerankRequest rerank(ShardSpec s, SearchRequest request) {
        if (request.query() == null) {
            if (!(request.rerank() instanceof RerankChoice.Given)) return null; // a vector alone: the default sits this one out
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'rerank' needs a 'query' text (a reranker reads the query and each hit's"
                    + " text); send a 'query' with the 'vector', or leave 'rerank' out");
        }
        return node.rerankFor(s.name(), s.options(), request);
    }

    /** Texts dropped again where the request did not ask for them (the reranker needed them). */
    private static List<RankedHit> shaped(List<RankedHit> hits, ResultShape shape) {
        if (shape.returnText()) return hits;
        return hits.stream().map(r -> new RankedHit(new Hit(r.hit().id(), r.hit().score(), null, r.hit().fields(), r.hit().passage()),
                r.firstStageScore(), r.reranked(), r.snippet())).toList();
    }

    private static SearchRequest with(SearchRequest r, SearchMode mode, int k, int offset, ResultShape shape) {
        return new SearchRequest(r.query(), r.instruction(), k, mode, r.filter(), r.fusion(), RerankChoice.OFF, offset, shape, r.vector());
    }
}
