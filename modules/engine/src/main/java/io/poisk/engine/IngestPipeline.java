package io.poisk.engine;

import io.poisk.core.Document;
import io.poisk.index.CollectionIndex;
import io.poisk.index.EmbeddedDocument;
import io.poisk.index.PassageVector;
import io.poisk.models.EmbeddingRole;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Ingest: documents are embedded as passages on the collection model's batcher and written to the
 * collection (write-ahead log first) on the disk executor, in slices, so one request cannot fill the
 * inference queue and inference of one slice overlaps the write of the one before.
 */
final class IngestPipeline {
    /** Documents embedded and written per step of an ingest. */
    static final int MAX_SLICE = 256;

    private final CollectionService collections;
    private final ModelPool<EmbeddingRuntime> embedders;
    private final BoundedExecutor disk;
    private final int slice;
    private final LongAdder skippedInference = new LongAdder();

    private final EngineMeters meters;

    IngestPipeline(CollectionService collections, ModelPool<EmbeddingRuntime> embedders, BoundedExecutor disk, int queueCapacity,
                   EngineMeters meters) {
        this.meters = meters;
        this.collections = collections;
        this.embedders = embedders;
        this.disk = disk;
        this.slice = Math.max(1, Math.min(MAX_SLICE, queueCapacity));
    }

    /** Completes with the number of documents once every slice is durable, in request order. */
    CompletableFuture<Integer> index(String collection, List<Document> documents) {
        if (documents.isEmpty()) return disk.submit(() -> {
            collections.get(collection);
            return 0;
        });
        List<List<Document>> slices = new ArrayList<>();
        for (int i = 0; i < documents.size(); i += slice) {
            slices.add(documents.subList(i, Math.min(documents.size(), i + slice)));
        }
        return disk.submit(() -> {
                    CollectionIndex index = collections.get(collection);
                    GivenVectors.checkDocuments(index.schema(), documents); // before anything is logged
                    return index;
                })
                .thenCompose(index -> batcherFor(index, documents)
                        .thenCompose(batcher -> ingestSlices(index, batcher, slices, 0, CompletableFuture.completedFuture(null))))
                .thenApply(v -> documents.size());
    }

    /**
     * Embeds documents as {@link #index} would, without writing them anywhere (a sharded collection logs them to
     * Kafka, and its replicas insert the vectors without inference): a given vector is one whole passage, a long text
     * is split by {@code passages}.
     */
    CompletableFuture<List<EmbeddedDocument>> embedOnly(io.poisk.core.CollectionSchema schema, io.poisk.index.PassageOptions passages,
                                                        List<Document> documents) {
        try {
            GivenVectors.checkDocuments(schema, documents);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        boolean allGiven = documents.stream().allMatch(d -> d.vector() != null);
        CompletableFuture<EmbeddingRuntime> batcher = !schema.hasModel() || allGiven ? CompletableFuture.completedFuture(null)
                : embedders.get(schema.model());
        List<List<PassageVector>> given = new ArrayList<>(documents.size());
        for (Document d : documents) given.add(d.vector() == null ? null : List.of(PassageVector.whole(d.vector())));
        return batcher.thenCompose(b -> disk.submit(() -> DocumentPassages.plan(documents, given, b == null ? null : b.splitter(), passages))
                .thenCompose(plan -> embedInChunks(b, plan.texts(), 0, new float[plan.texts().size()][]).thenApply(plan::assemble)));
    }

    /**
     * The collection model's batcher, or null (no model loaded) where every document brings its vector: a collection
     * without a model, or a batch of given vectors only.
     */
    private CompletableFuture<EmbeddingRuntime> batcherFor(CollectionIndex index, List<Document> documents) {
        boolean allGiven = documents.stream().allMatch(d -> d.vector() != null);
        if (!index.schema().hasModel() || allGiven) return CompletableFuture.completedFuture(null);
        return embedders.get(index.schema().model());
    }

    /**
     * Embeds slice {@code i} while the previous slice is still being written, then chains its write
     * after the previous one, so writes stay in request order and inference never waits on disk. A document
     * whose text equals its stored one keeps the stored vector (the same model made it from the same text):
     * only the others are embedded. A document that brings its vector is one passage with that vector.
     * {@code batcher} is null when no document of the request needs inference.
     */
    private CompletableFuture<Void> ingestSlices(CollectionIndex index, EmbeddingRuntime batcher, List<List<Document>> slices,
                                                 int i, CompletableFuture<Void> previousWrite) {
        List<Document> part = slices.get(i);
        // Stored vectors are read and long texts split (tokenised) off the event loop, on the disk executor.
        return disk.submit(() -> collections.guarded(index, c -> DocumentPassages.plan(part, storedVectors(c, part),
                        batcher == null ? null : batcher.splitter(), c.options().effectivePassages())))
                .thenCompose(plan -> {
                    List<String> texts = plan.texts();
                    CompletableFuture<float[][]> fresh = embedInChunks(batcher, texts, 0, new float[texts.size()][]);
                    return fresh.thenApply(vectors -> {
                        skippedInference.add(plan.reusedCount() - givenCount(part));
                        return plan.assemble(vectors);
                    });
                })
                .thenCompose(embedded -> {
                    CompletableFuture<Void> write = previousWrite.thenCompose(v -> disk.submit(() -> collections.guarded(index, c -> {
                        long writing = System.nanoTime();
                        c.upsert(embedded);
                        meters.durableWrite(writing);
                        return null;
                    })));
                    return i + 1 < slices.size() ? ingestSlices(index, batcher, slices, i + 1, write) : write;
                });
    }

    /**
     * Embeds the texts a slice at a time, one after another: long documents make many passages, and one
     * request for more texts than the queue holds would be refused however idle the model is.
     */
    private CompletableFuture<float[][]> embedInChunks(EmbeddingRuntime batcher, List<String> texts, int from, float[][] out) {
        if (from >= texts.size()) return CompletableFuture.completedFuture(out);
        int to = Math.min(texts.size(), from + slice);
        return embed(batcher, texts.subList(from, to), EmbeddingRole.PASSAGE, null).thenCompose(vectors -> {
            System.arraycopy(vectors, 0, out, from, vectors.length);
            return embedInChunks(batcher, texts, to, out);
        });
    }

    /**
     * Per document, the vectors it keeps without inference: its own (given) vector as one passage, else the stored
     * passage vectors when the stored text is the same, else null.
     */
    private static List<List<PassageVector>> storedVectors(CollectionIndex index, List<Document> part) {
        List<List<PassageVector>> out = new ArrayList<>(part.size());
        for (Document d : part) {
            if (d.vector() != null) {
                out.add(List.of(PassageVector.whole(d.vector())));
                continue;
            }
            EmbeddedDocument stored = index.stored(d.id()).orElse(null);
            out.add(stored != null && stored.document().text().equals(d.text()) ? stored.passages() : null);
        }
        return out;
    }

    private static int givenCount(List<Document> part) {
        int n = 0;
        for (Document d : part) if (d.vector() != null) n++;
        return n;
    }

    /** Documents written with their stored vector because their text had not changed (no inference). */
    long skippedInference() {
        return skippedInference.sum();
    }

    /** The batcher's own future (cancelling it drops the texts from its queue); a synchronous refusal becomes a failed future. */
    static CompletableFuture<float[][]> embed(EmbeddingRuntime batcher, List<String> texts, EmbeddingRole role, String instruction) {
        try {
            return batcher.submit(texts, role, instruction);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
