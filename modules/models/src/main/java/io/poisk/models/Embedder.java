package io.poisk.models;

import java.util.List;

/** Turns texts into vectors the way the model card says. Blocking and thread-safe. */
public interface Embedder extends AutoCloseable {

    EmbedderCard card();

    /**
     * Embeds the texts in the given role; {@code instruction} (may be null) only changes queries of
     * cards with an instruction template. Returns one vector of {@code card().dimension()} floats per text.
     */
    float[][] embed(List<String> texts, EmbeddingRole role, String instruction);

    /** Cuts long texts into passages with the model's tokenizer; null when this embedder has none (one vector per text). */
    default PassageSplitter splitter() {
        return null;
    }

    @Override
    void close();
}
