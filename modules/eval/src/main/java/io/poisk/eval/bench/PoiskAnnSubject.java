package io.poisk.eval.bench;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.Hit;
import io.poisk.index.CollectionIndex;
import io.poisk.index.EmbeddedDocument;
import io.poisk.index.IndexOptions;
import io.poisk.index.ScoredCandidate;
import io.poisk.index.SearchQuery;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Poisk's segment search as the engine runs it: a {@link CollectionIndex} whose documents (empty text)
 * are flushed into one on-disk segment (fused PQ for traversal, full vectors for exact rescoring).
 * The search beam is fixed per opened collection, so {@link #useBeam} re-opens it with other options.
 */
final class PoiskAnnSubject implements AnnSubject {
    private static final int UPSERT_BATCH = 1_000;

    private final Path dir;
    private final int graphDegree;
    private final int constructionBeam;
    /** Exact rescoring of PQ candidates (IndexOptions.rescoreFactor, config index.rescore_factor); not the reranker model. */
    private final int rescoreFactor;
    /** Segments at least this large get PQ codes for traversal; 0: the engine's default, capped at the base size. */
    private final int pqMinVectors;
    /** Dimensions per PQ code (index.pq_subvector_dims). */
    private final int pqSubvectorDims;
    private IndexOptions options;
    private CollectionIndex index;

    PoiskAnnSubject(Path dir, int graphDegree, int constructionBeam, int rescoreFactor, int pqMinVectors, int pqSubvectorDims) {
        this.dir = dir;
        this.pqSubvectorDims = pqSubvectorDims;
        this.pqMinVectors = pqMinVectors;
        this.graphDegree = graphDegree;
        this.constructionBeam = constructionBeam;
        this.rescoreFactor = rescoreFactor;
    }

    @Override
    public String name() {
        return "poisk";
    }

    @Override
    public void build(float[][] base) throws IOException {
        // The live segment holds everything, so one flush writes one segment; PQ is fused at any size the engine allows.
        int pqMin = pqMinVectors > 0 ? pqMinVectors : Math.max(256, Math.min(IndexOptions.defaults().pqMinVectors(), base.length));
        options = new IndexOptions(graphDegree, constructionBeam, 100, rescoreFactor, base.length + 1, pqMin,
                Integer.MAX_VALUE, 1 << 20, 0).withPqSubvectorDims(pqSubvectorDims);
        index = CollectionIndex.create(dir, new CollectionSchema("bench", "vectors", base[0].length, CollectionSchema.COSINE), options);
        for (int from = 0; from < base.length; from += UPSERT_BATCH) {
            List<EmbeddedDocument> batch = new ArrayList<>(UPSERT_BATCH);
            for (int i = from; i < Math.min(base.length, from + UPSERT_BATCH); i++) {
                batch.add(new EmbeddedDocument(new Document(Integer.toString(i), "", Map.of()), base[i]));
            }
            index.upsert(batch);
        }
        index.flush();
        if (index.segmentCount() != 1 || index.liveSegmentDocuments() != 0) {
            throw new IllegalStateException("expected one on-disk segment after flush, got " + index.segmentCount()
                    + " and " + index.liveSegmentDocuments() + " live documents");
        }
    }

    @Override
    public void useBeam(int beam) throws IOException {
        if (options.searchBeam() == beam && index != null) return;
        options = options.withSearchBeam(beam);
        index.close();
        index = CollectionIndex.open(dir, options);
    }

    @Override
    public int[] search(float[] query, int k) {
        List<Hit> hits = index.search(query, k);
        int[] out = new int[hits.size()];
        for (int i = 0; i < out.length; i++) out[i] = Integer.parseInt(hits.get(i).id());
        return out;
    }

    @Override
    public Path directory() {
        return dir;
    }

    /** The segments folder: graph with full vectors, PQ codes, ids, lexical index (the document map and log are not counted). */
    @Override
    public long indexBytes() throws IOException {
        return DirectorySize.of(dir.resolve("segments"));
    }

    /**
     * The same index searched as the engine now searches it: scored candidates (ids and scores) with no
     * document loads, which the engine reads only for the page it returns. Shares this subject's index
     * (and so its beam); measured beside it, the difference is the cost of loading k documents.
     */
    AnnSubject candidatesOnly() {
        return new AnnSubject() {
            @Override
            public String name() {
                return "poisk-ids";
            }

            @Override
            public void build(float[][] base) {
                // built by the subject it views
            }

            @Override
            public void useBeam(int beam) throws IOException {
                PoiskAnnSubject.this.useBeam(beam); // the shared index: a no-op when the viewed subject set it already
            }

            @Override
            public int[] search(float[] query, int k) {
                List<ScoredCandidate> found = index.candidates(SearchQuery.dense(query, k, null));
                int[] out = new int[found.size()];
                for (int i = 0; i < out.length; i++) out[i] = Integer.parseInt(found.get(i).id());
                return out;
            }

            @Override
            public Path directory() {
                return dir;
            }

            @Override
            public void close() {
                // the viewed subject closes the index
            }
        };
    }

    @Override
    public void close() {
        if (index != null) index.close();
    }
}
