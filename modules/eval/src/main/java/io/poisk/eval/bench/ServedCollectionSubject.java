package io.poisk.eval.bench;

import io.poisk.index.CollectionIndex;
import io.poisk.index.IndexOptions;
import io.poisk.index.ScoredCandidate;
import io.poisk.index.SearchQuery;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The collection a stopped Poisk server left in its data folder, opened in this JVM and searched as the engine
 * searches it (scored candidates over all its segments, ids only), so that it is measured by CPU time beside
 * Lucene exactly as {@link PoiskAnnSubject} is. Document ids are row numbers. Built by the server, not here.
 */
final class ServedCollectionSubject implements AnnSubject {
    private final Path dir;
    private final String name;
    private IndexOptions options;
    private CollectionIndex index;

    ServedCollectionSubject(Path dir, String name, IndexOptions options) throws IOException {
        this.dir = dir;
        this.name = name;
        this.options = options;
        this.index = CollectionIndex.open(dir, options);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void build(float[][] base) {
        throw new UnsupportedOperationException("built by the server");
    }

    int segmentCount() {
        return index.segmentCount();
    }

    long liveDocuments() {
        return index.liveSegmentDocuments();
    }

    /** Compacts the segments into one ({@link CollectionIndex#merge}), as Lucene's forceMerge(1) does for the peer. */
    void mergeToOne() throws IOException {
        index.flush();
        index.merge();
    }

    @Override
    public void useBeam(int beam) throws IOException {
        if (options.searchBeam() == beam) return;
        options = options.withSearchBeam(beam);
        index.close();
        index = CollectionIndex.open(dir, options);
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
    public long indexBytes() throws IOException {
        return DirectorySize.of(dir.resolve("segments"));
    }

    @Override
    public void close() {
        index.close();
    }
}
