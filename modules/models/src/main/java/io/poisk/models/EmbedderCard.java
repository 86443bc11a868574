package io.poisk.models;

/**
 * An embedder ({@code kind: embedder}, the default): how hidden states become one vector.
 *
 * @param dimension the length of the vectors this card produces (truncate_dim when that is set)
 * @param truncateDim Matryoshka truncation: keep the first d features, then re-normalise; null for none
 * @param prefixSeparator for prefix_mean pooling only: the token that ends the prefix (":" for NV-Retriever)
 * @param eosToken when not null, this token is appended to every sequence (after truncating one shorter)
 */
public record EmbedderCard(CardBase base, Pooling pooling, int dimension, Integer truncateDim, boolean normalize,
                           String prefixSeparator, String eosToken) implements ModelCard {
    public EmbedderCard {
        base.require(pooling != null, "pooling is required");
        base.require(dimension > 0, "dimension must be positive, got " + dimension);
        base.require(truncateDim == null || truncateDim == dimension,
                "truncate_dim " + truncateDim + " must be the card's output dimension " + dimension);
        base.require(eosToken == null || !eosToken.isEmpty(), "eos_token must not be empty");
        boolean prefixMean = pooling == Pooling.PREFIX_MEAN;
        base.require(!prefixMean || (prefixSeparator != null && !prefixSeparator.isEmpty()),
                "prefix_mean pooling needs a prefix_separator token");
        base.require(prefixMean || prefixSeparator == null, "prefix_separator means something only for prefix_mean pooling");
    }

    @Override
    public ModelKind kind() {
        return ModelKind.EMBEDDER;
    }
}
