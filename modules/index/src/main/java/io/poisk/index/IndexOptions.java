package io.poisk.index;

import io.poisk.core.PoiskConfig;

/**
 * Tuning of the storage engine, read from the {@code index.*} configuration keys.
 *
 * @param graphDegree        JVector max degree (M)
 * @param constructionBeam   beam width while inserting into a graph
 * @param searchBeam         candidates kept during graph search (raised to k when k is larger; the live segment walks
 *                           half of it beside PQ segments, {@link SegmentSearch#liveBeam})
 * @param rescoreFactor       on PQ segments the search beam is at least k × this, and the whole beam is rescored exactly
 * @param liveSegmentMaxDocs documents in the live segment before it is flushed
 * @param pqMinVectors       flushed segments with at least this many vectors get fused PQ
 * @param mergeMaxSegments   background merge starts above this many on-disk segments
 * @param maxDocumentBytes   largest stored document (its {@link io.poisk.core.DocumentCodec} bytes)
 * @param walGroupCommitMs   extra wait before a log fsync, to group more writers
 * @param minFreeDiskBytes   writes are refused (507) while the collection's disk has less free; 0: no reserve
 * @param pqSubvectorDims    vector dimensions per one-byte PQ code in fused segments: the disk of the codes against
 *                           the queries/s at a given recall (see {@link SegmentWriter#pqSubspaces})
 */
public record IndexOptions(int graphDegree, int constructionBeam, int searchBeam, int rescoreFactor,
                           int liveSegmentMaxDocs, int pqMinVectors, int mergeMaxSegments,
                           int maxDocumentBytes, long walGroupCommitMs, long minFreeDiskBytes, int pqSubvectorDims) {
    /** The default of {@code index.pq_subvector_dims}. */
    public static final int DEFAULT_PQ_SUBVECTOR_DIMS = 8;

    /** The default of {@code index.min_free_disk_bytes}: room for a flush of a small live segment and the document map's growth. */
    public static final long DEFAULT_MIN_FREE_DISK_BYTES = 64L << 20;

    /** Options with the default disk reserve. */
    public IndexOptions(int graphDegree, int constructionBeam, int searchBeam, int rescoreFactor, int liveSegmentMaxDocs,
                        int pqMinVectors, int mergeMaxSegments, int maxDocumentBytes, long walGroupCommitMs) {
        this(graphDegree, constructionBeam, searchBeam, rescoreFactor, liveSegmentMaxDocs, pqMinVectors, mergeMaxSegments,
                maxDocumentBytes, walGroupCommitMs, DEFAULT_MIN_FREE_DISK_BYTES, DEFAULT_PQ_SUBVECTOR_DIMS);
    }

    /** Options with the default PQ code width. */
    public IndexOptions(int graphDegree, int constructionBeam, int searchBeam, int rescoreFactor, int liveSegmentMaxDocs,
                        int pqMinVectors, int mergeMaxSegments, int maxDocumentBytes, long walGroupCommitMs, long minFreeDiskBytes) {
        this(graphDegree, constructionBeam, searchBeam, rescoreFactor, liveSegmentMaxDocs, pqMinVectors, mergeMaxSegments,
                maxDocumentBytes, walGroupCommitMs, minFreeDiskBytes, DEFAULT_PQ_SUBVECTOR_DIMS);
    }

    /** A copy with another disk reserve. */
    public IndexOptions withMinFreeDiskBytes(long bytes) {
        return new IndexOptions(graphDegree, constructionBeam, searchBeam, rescoreFactor, liveSegmentMaxDocs, pqMinVectors,
                mergeMaxSegments, maxDocumentBytes, walGroupCommitMs, bytes, pqSubvectorDims);
    }

    /** A copy with another search beam. */
    public IndexOptions withSearchBeam(int beam) {
        return new IndexOptions(graphDegree, constructionBeam, beam, rescoreFactor, liveSegmentMaxDocs, pqMinVectors,
                mergeMaxSegments, maxDocumentBytes, walGroupCommitMs, minFreeDiskBytes, pqSubvectorDims);
    }

    /** A copy with another PQ code width. */
    public IndexOptions withPqSubvectorDims(int dims) {
        return new IndexOptions(graphDegree, constructionBeam, searchBeam, rescoreFactor, liveSegmentMaxDocs, pqMinVectors,
                mergeMaxSegments, maxDocumentBytes, walGroupCommitMs, minFreeDiskBytes, dims);
    }

    public IndexOptions {
        if (graphDegree < 2) throw new IllegalArgumentException("graphDegree must be at least 2: " + graphDegree);
        if (constructionBeam < 1) throw new IllegalArgumentException("constructionBeam must be positive: " + constructionBeam);
        if (searchBeam < 1) throw new IllegalArgumentException("searchBeam must be positive: " + searchBeam);
        if (rescoreFactor < 1) throw new IllegalArgumentException("rescoreFactor must be positive: " + rescoreFactor);
        if (liveSegmentMaxDocs < 1) throw new IllegalArgumentException("liveSegmentMaxDocs must be positive: " + liveSegmentMaxDocs);
        if (pqMinVectors < 256) throw new IllegalArgumentException("pqMinVectors must be at least 256 (PQ trains 256 centroids): " + pqMinVectors);
        if (mergeMaxSegments < 1) throw new IllegalArgumentException("mergeMaxSegments must be positive: " + mergeMaxSegments);
        if (maxDocumentBytes < 1) throw new IllegalArgumentException("maxDocumentBytes must be positive: " + maxDocumentBytes);
        if (walGroupCommitMs < 0) throw new IllegalArgumentException("walGroupCommitMs must not be negative: " + walGroupCommitMs);
        if (minFreeDiskBytes < 0) throw new IllegalArgumentException("minFreeDiskBytes must not be negative: " + minFreeDiskBytes);
        if (pqSubvectorDims < 1 || pqSubvectorDims > 64) throw new IllegalArgumentException("pqSubvectorDims must be 1-64: " + pqSubvectorDims);
    }

    public static IndexOptions from(PoiskConfig cfg) {
        return new IndexOptions(
                cfg.integer("index.graph_degree"),
                cfg.integer("index.construction_beam"),
                cfg.integer("index.search_beam"),
                cfg.integer("index.rescore_factor"),
                cfg.integer("index.live_segment_max_docs"),
                cfg.integer("index.pq_min_vectors"),
                cfg.integer("index.merge_max_segments"),
                cfg.integer("max_document_bytes"),
                cfg.longValue("index.wal_group_commit_ms"),
                cfg.longValue("index.min_free_disk_bytes"),
                cfg.integer("index.pq_subvector_dims"));
    }

    /** The configured defaults. */
    public static IndexOptions defaults() {
        return from(PoiskConfig.defaults());
    }
}
