package io.poisk.engine;

import io.poisk.models.BatcherStats;
import io.poisk.models.EmbedderCard;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.PassageSplitter;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * "Embed these texts" for one model, wherever the model runs: in this process ({@link LocalInference}, today's
 * dynamic batcher) or on remote inference workers (the cluster module). The pipelines only ever see this.
 */
public interface EmbeddingRuntime extends AutoCloseable {

    EmbedderCard card();

    /** Cuts long documents into passages with the model's tokenizer; null when the model has none. */
    PassageSplitter splitter();

    /**
     * One vector per text, in order. Never blocks: a full queue fails the future at once with OVERLOADED.
     * Cancelling the future drops texts that have not reached a batch yet (where the runtime can).
     */
    CompletableFuture<float[][]> submit(List<String> texts, EmbeddingRole role, String instruction);

    /** What has been embedded so far (for remote runtimes: what was sent and answered). */
    BatcherStats stats();

    @Override
    void close();
}
