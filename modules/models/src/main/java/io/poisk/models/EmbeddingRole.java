package io.poisk.models;

/** What a text is to the model: a search query or a passage to be found; cards format each differently. */
public enum EmbeddingRole {
    QUERY,
    PASSAGE
}
