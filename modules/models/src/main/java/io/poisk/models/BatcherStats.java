package io.poisk.models;

/**
 * What an {@link EmbeddingBatcher} has done so far.
 *
 * @param batches inference batches run
 * @param texts texts embedded in them
 * @param largestBatch most texts in one batch
 * @param rejected requests refused with OVERLOADED
 * @param queued texts waiting now
 */
public record BatcherStats(long batches, long texts, int largestBatch, long rejected, int queued) {
    public double meanBatchSize() {
        return batches == 0 ? 0 : (double) texts / batches;
    }
}
