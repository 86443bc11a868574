package io.poisk.engine;

import io.poisk.models.ModelRegistry;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Where the engine's model inference runs ({@code inference.mode}): {@link LocalInference} in this process, or
 * remote workers over the clustered event bus (the cluster module). The engine's model pools call these once per
 * model, on the model-loader thread, so they may block (loading weights takes seconds).
 */
public interface Inference {

    /** The embedding runtime of {@code modelId}; UNKNOWN_MODEL / BAD_REQUEST from the registry for a wrong id. */
    EmbeddingRuntime embedding(ModelRegistry models, String modelId);

    /** The rerank runtime of {@code modelId}. */
    RerankRuntime rerank(ModelRegistry models, String modelId);

    /** For {@code GET /stats}: the mode and what this inference has done (remote: requests, retries, failures). */
    Map<String, Object> stats();

    /**
     * Why {@code modelId} cannot be inferred now, or null when it can ({@code GET /health/ready}). In this process it
     * always can once loaded; remote inference needs a live worker that serves the model.
     */
    default CompletableFuture<String> unavailable(String modelId) {
        return CompletableFuture.completedFuture(null);
    }
}
