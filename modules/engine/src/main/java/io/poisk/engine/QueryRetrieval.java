package io.poisk.engine;

import io.poisk.core.Hit;
import io.poisk.core.SearchMode;
import io.poisk.index.SearchQuery;

import java.util.List;

/** The first stage of a planned search: the index search over every segment (dense, lexical or fused hybrid). */
final class QueryRetrieval {
    private QueryRetrieval() {
    }

    /** Runs the index search (blocking: call it on the disk executor); {@code vector} is null for lexical mode. */
    static List<Hit> retrieve(SearchPlan plan, float[] vector) {
        SearchRequest r = plan.request();
        SearchQuery indexQuery = new SearchQuery(r.mode(), r.mode() == SearchMode.LEXICAL ? null : vector,
                r.mode() == SearchMode.DENSE ? null : r.query(), plan.depth(), plan.filter(), plan.fusion());
        return plan.index().search(indexQuery).hits();
    }
}
