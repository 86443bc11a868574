package io.poisk.engine;

import io.poisk.core.Hit;
import io.poisk.core.SearchMode;
import io.poisk.index.CollectionIndex;
import io.poisk.index.SegmentSearchObserver;
import io.poisk.index.ScoredCandidate;
import io.poisk.index.SearchQuery;

import java.util.List;

/**
 * The first stage of a planned search. Every segment returns scored candidates (ids and scores, no
 * documents; filters inside the graph walk and the BM25 query), hybrid fuses the two lists, the result is
 * cut to the plan's depth (the page, or top_n for a rerank step), and only then are the documents of those
 * candidates loaded, once each: a hybrid page of 50 reads 50 documents, not the up to 200 of both lists.
 */
final class QueryRetrieval {
    private QueryRetrieval() {
    }

    /** Runs the index search and loads the kept documents (blocking: call it on the disk executor); {@code vector} is null for lexical mode. */
    static List<Hit> retrieve(SearchPlan plan, float[] vector) {
        return retrieve(plan, vector, SegmentSearchObserver.NONE);
    }

    /** As above, with each segment's dense search time told to {@code observer} (the engine's per-kind histogram). */
    static List<Hit> retrieve(SearchPlan plan, float[] vector, SegmentSearchObserver observer) {
        SearchRequest r = plan.request();
        SearchQuery indexQuery = new SearchQuery(r.mode(), r.mode() == SearchMode.LEXICAL ? null : vector,
                r.mode() == SearchMode.DENSE ? null : r.query(), plan.depth(), plan.filter(), plan.fusion(), plan.prefixLastTerm());
        CollectionIndex index = plan.index();
        List<ScoredCandidate> kept = index.candidates(indexQuery, observer);
        return index.documents(kept);
    }
}
