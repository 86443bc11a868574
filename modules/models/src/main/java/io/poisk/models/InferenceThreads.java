package io.poisk.models;

/**
 * Intra-op threads of one forward call, per model kind: the cores split among that kind's workers
 * ({@code embedding.workers}, {@code rerank.workers}), which run their calls at the same time. When the threads of
 * concurrent calls outnumber the cores, each call's threads wait at every operator for a core another call holds:
 * on 2 cores, two embedding workers of 2 threads each were slower per text than one of 2 threads, and two of 1 thread
 * faster (docs/benchmarks.md, session 15). Applies to ONNX Runtime sessions; PyTorch's thread count is per process
 * and taken from the first model loaded.
 */
public record InferenceThreads(int embedder, int reranker) {
    public InferenceThreads {
        if (embedder < 1 || reranker < 1) {
            throw new IllegalArgumentException("inference threads must be >= 1; got embedder " + embedder + ", reranker " + reranker);
        }
    }

    /** Every call on all cores: right for one worker per kind. */
    public static InferenceThreads allCores() {
        int cores = Runtime.getRuntime().availableProcessors();
        return new InferenceThreads(cores, cores);
    }

    /** The cores split evenly among each kind's workers, at least one thread per call. */
    public static InferenceThreads split(int embeddingWorkers, int rerankWorkers) {
        if (embeddingWorkers < 1 || rerankWorkers < 1) {
            throw new IllegalArgumentException("workers must be >= 1; got " + embeddingWorkers + ", " + rerankWorkers);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return new InferenceThreads(Math.max(1, cores / embeddingWorkers), Math.max(1, cores / rerankWorkers));
    }
}
