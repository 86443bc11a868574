package io.poisk.eval;

import io.poisk.core.CollectionName;
import io.poisk.core.SearchMode;
import io.poisk.engine.SearchDefaults;
import io.poisk.index.PassageOptions;

/**
 * How an evaluation runs: the collection it indexes into (created first when {@code createCollection},
 * with {@code model} or, when null, the engine's default model), the search mode (null: the engine's default,
 * hybrid), the page size and metric cut-off k,
 * documents per index call, how many calls may be in flight at once, and how the new collection embeds long
 * documents ({@code passages}; null: the collection default, passages on).
 */
public record EvaluationSettings(String collection, SearchMode mode, int k, boolean createCollection, String model,
                                 int ingestBatch, int concurrency, PassageOptions passages) {
    public EvaluationSettings(String collection, SearchMode mode, int k, boolean createCollection, String model,
                              int ingestBatch, int concurrency) {
        this(collection, mode, k, createCollection, model, ingestBatch, concurrency, null);
    }

    public EvaluationSettings {
        CollectionName.validate(collection);
        mode = mode == null ? SearchDefaults.MODE : mode;
        if (k < 1) throw new IllegalArgumentException("k must be at least 1, got " + k);
        if (ingestBatch < 1) throw new IllegalArgumentException("ingestBatch must be at least 1, got " + ingestBatch);
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
    }

    /** A new collection with the default model, batches of 64 documents, 8 requests in flight. */
    public static EvaluationSettings defaults(String collection, SearchMode mode, int k) {
        return new EvaluationSettings(collection, mode, k, true, null, 64, 8);
    }
}
