package io.poisk.engine;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.models.EmbedderCard;
import io.poisk.models.ModelCard;
import io.poisk.models.ModelRegistry;
import io.poisk.models.RerankerCard;
import io.poisk.models.UnknownModelException;

import java.util.List;

/**
 * The card checks of collections and searches: a collection embeds with an embedder card, a rerank step
 * scores with a reranker card; every wrong or unknown id is a 400 that names the cards that would do.
 */
final class ModelCards {
    /** The request property a reranker id came from, named at the head of its messages. */
    private static final String RERANK_MODEL = "'rerank.model': ";

    private final ModelRegistry models;

    ModelCards(ModelRegistry models) {
        this.models = models;
    }

    List<ModelCard> all() {
        return models.cards();
    }

    /** The card of an embedder; a reranker's card or an unknown id is a 400 that names the embedders. */
    EmbedderCard embedder(String id) {
        List<String> embedders = models.embedderCards().stream().map(ModelCard::id).toList();
        return switch (known(id, "model", embedders)) {
            case EmbedderCard embedder -> embedder;
            case RerankerCard reranker -> throw new PoiskException(ErrorCode.UNKNOWN_MODEL, "model '" + id + "' is a "
                    + reranker.kind() + " (a reranker) and cannot embed documents; a collection needs an embedder: "
                    + names(embedders) + "; use a reranker per search with \"rerank\":{\"model\":\"" + id + "\"}");
        };
    }

    /** The card of a reranker named in a search; an embedder's card or an unknown id is a 400 that names the rerankers. */
    RerankerCard reranker(String id) {
        return reranker(id, false);
    }

    /** The card of a collection's default reranker: as {@link #reranker(String)}, every message naming 'rerank.model'. */
    RerankerCard defaultReranker(String id) {
        return reranker(id, true);
    }

    private RerankerCard reranker(String id, boolean nameProperty) {
        List<String> rerankers = rerankerIds();
        ModelCard card;
        try {
            card = known(id, "reranker", rerankers);
        } catch (PoiskException e) {
            if (!nameProperty) throw e;
            throw new PoiskException(e.code(), RERANK_MODEL + e.getMessage());
        }
        if (!(card instanceof RerankerCard reranker)) {
            throw new PoiskException(ErrorCode.UNKNOWN_MODEL, RERANK_MODEL + "model '" + id
                    + "' is an embedder, not a reranker; rerankers: " + names(rerankers));
        }
        return reranker;
    }

    List<String> rerankerIds() {
        return models.rerankerCards().stream().map(ModelCard::id).toList();
    }

    /** The card; an unknown id is a 400 naming the cards of this kind, a broken card keeps the registry's message. */
    private ModelCard known(String id, String what, List<String> available) {
        try {
            return models.card(id);
        } catch (UnknownModelException e) {
            // The models folder is not named: a client has no business knowing the server's paths.
            throw new PoiskException(ErrorCode.UNKNOWN_MODEL, "unknown " + what + " '" + id + "'; available " + what + "s: "
                    + names(available));
        }
    }

    static String names(List<String> ids) {
        return ids.isEmpty() ? "none" : String.join(", ", ids);
    }
}
