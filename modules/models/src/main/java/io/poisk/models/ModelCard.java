package io.poisk.models;

import java.nio.file.Path;
import java.util.List;

/**
 * How a model wants its input and how its output becomes a vector or a score: the {@code card.json}
 * that lies beside the weights, read by {@link ModelCardReader}. One type per kind, so each holds only
 * what means something for it; ask "is this an embedder" with a type pattern, not a string.
 */
public sealed interface ModelCard permits EmbedderCard, RerankerCard {
    /** What every kind has: files, engine, max length, inputs, padding, templates. */
    CardBase base();

    ModelKind kind();

    /** Reads and validates a card; the card's directory is the folder of {@code cardJson}. */
    static ModelCard load(Path cardJson) {
        return ModelCardReader.read(cardJson);
    }

    default String id() {
        return base().id();
    }

    default Path directory() {
        return base().directory();
    }

    default String artifact() {
        return base().artifact();
    }

    default ModelEngine engine() {
        return base().engine();
    }

    default int maxLength() {
        return base().maxLength();
    }

    default List<String> inputs() {
        return base().inputs();
    }

    default Path artifactPath() {
        return base().artifactPath();
    }

    default Path tokenizerPath() {
        return base().tokenizerPath();
    }

    default boolean leftPadding() {
        return base().leftPadding();
    }

    /** The text the model sees for {@code text} in this role; see {@link InputTemplates#render}. */
    default String render(String text, EmbeddingRole role, String instruction) {
        return base().templates().render(text, role, instruction);
    }
}
