package io.poisk.engine;

import io.poisk.core.Hit;

/**
 * A hit of a search result. Its {@link Hit#score()} is the score the page is ordered by: the reranker's
 * score for a reranked hit, the first-stage score otherwise.
 *
 * @param firstStageScore the first-stage (dense retrieval) score
 * @param reranked        whether the reranker scored this hit (false without a reranker, or when the budget ran out)
 * @param snippet         the highlighted snippet of its text when the request asked for one (HTML-escaped, matches in
 *                        {@code <mark>}); else null. The hit's text is null when the request left it out.
 */
public record RankedHit(Hit hit, float firstStageScore, boolean reranked, String snippet) {
    public RankedHit(Hit hit, float firstStageScore, boolean reranked) {
        this(hit, firstStageScore, reranked, null);
    }

    public static RankedHit firstStage(Hit hit) {
        return new RankedHit(hit, hit.score(), false);
    }
}
