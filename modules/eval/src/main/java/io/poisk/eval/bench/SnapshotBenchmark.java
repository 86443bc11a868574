package io.poisk.eval.bench;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.PoiskConfig;
import io.poisk.engine.PoiskEngine;
import io.poisk.engine.SnapshotInfo;
import io.poisk.index.CollectionCatalog;
import io.poisk.index.CollectionIndex;
import io.poisk.index.EmbeddedDocument;
import io.poisk.index.IndexOptions;
import io.poisk.index.SnapshotManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Time and size of a snapshot of a large collection, against the peer an operator has without snapshots: a cold
 * copy of the collection folder (which needs the collection closed). Builds {@code --docs} documents with random
 * unit vectors of {@code --dim} at the index API (no model), then, with a writer upserting one document at a time
 * throughout, takes an index-level snapshot (measuring the writer's longest wait: the write pause), then through
 * the engine a snapshot, its tar archive and a restore from that archive.
 *
 * <pre>modules/eval/bench/run-bench.sh snapshot [--docs 100000] [--dim 384] [--work DIR]</pre>
 */
public final class SnapshotBenchmark {
    public static void main(String[] args) throws Exception {
        BenchArgs a = new BenchArgs(args);
        int docs = a.integer("docs", 100_000);
        int dim = a.integer("dim", 384);
        Path work = Path.of(a.string("work", "target/snapshot-bench"));
        deleteTree(work);
        Path data = work.resolve("data");
        Map<String, String> cfg = Map.of("data_dir", data.toString(), "models_dir", System.getProperty("poisk.models.dir", "index-data/models"),
                "index.merge_max_segments", "100", "index.min_free_disk_bytes", "0");
        PoiskConfig config = PoiskConfig.defaults().with(cfg);
        IndexOptions opts = IndexOptions.from(config);
        Random r = new Random(42);

        long t0 = System.nanoTime();
        try (CollectionCatalog catalog = CollectionCatalog.open(data, opts)) {
            CollectionIndex c = catalog.create(new CollectionSchema("bench", "e5-small-v2", dim, CollectionSchema.COSINE));
            for (int from = 0; from < docs; from += 1000) {
                List<EmbeddedDocument> batch = new ArrayList<>();
                for (int i = from; i < Math.min(docs, from + 1000); i++) batch.add(doc(r, "d" + i, dim));
                c.upsert(batch);
            }
            double buildS = seconds(t0);
            long collectionBytes = DirectorySize.of(data.resolve("collections/bench"));
            System.out.printf(Locale.ROOT, "built %d documents (dim %d) in %.1f s: %d on-disk segments, %d in the live segment, folder %.1f MiB%n",
                    docs, dim, buildS, c.segmentCount(), c.liveSegmentDocuments(), collectionBytes / 1048576.0);

            // A writer upserting one document at a time while the snapshot is taken: its longest wait is the pause.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong longestNs = new AtomicLong(), writes = new AtomicLong();
            Thread writer = new Thread(() -> {
                Random wr = new Random(7);
                for (int i = 0; !stop.get() && i < 1_000_000; i++) {
                    long s = System.nanoTime();
                    try {
                        c.upsert(List.of(doc(wr, "w" + i, dim)));
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                    longestNs.accumulateAndGet(System.nanoTime() - s, Math::max);
                    writes.incrementAndGet();
                }
            });
            writer.start();
            Thread.sleep(500);
            long before = longestNs.getAndSet(0);
            long t1 = System.nanoTime();
            SnapshotManifest m = c.snapshot(work.resolve("index-snapshot"), "bench", "now");
            double snapS = seconds(t1);
            long during = longestNs.get();
            stop.set(true);
            writer.join(60_000);
            long[] shared = sharedAndNew(work.resolve("index-snapshot"));
            System.out.printf(Locale.ROOT, "index snapshot at LSN %d: %d documents, %.1f s; files %.1f MiB, of which %.1f MiB new (the rest hard links);"
                            + " longest single-document write %.0f ms during it (%.0f ms in the 0.5 s before); %d writes during the run%n",
                    m.lsn(), m.documents(), snapS, m.bytes() / 1048576.0, shared[1] / 1048576.0, during / 1e6, before / 1e6, writes.get());
        }

        // Peer: a cold copy of the closed collection's folder (what a backup without snapshots must do).
        long t2 = System.nanoTime();
        Path copy = work.resolve("cold-copy");
        copyTree(data.resolve("collections/bench"), copy);
        double copyS = seconds(t2);
        long copyBytes = DirectorySize.of(copy);
        System.out.printf(Locale.ROOT, "peer: cold copy of the collection folder %.1f s, %.1f MiB%n", copyS, copyBytes / 1048576.0);
        deleteTree(copy);

        try (PoiskEngine engine = PoiskEngine.open(config)) {
            long t3 = System.nanoTime();
            SnapshotInfo s = engine.createSnapshot("bench").get();
            double engineSnapS = seconds(t3);
            long t4 = System.nanoTime();
            Path archive = engine.snapshotArchive("bench", s.id()).get();
            double archiveS = seconds(t4);
            long archiveBytes = Files.size(archive);
            long t5 = System.nanoTime();
            engine.restoreArchive("bench-restored", archive).get();
            double restoreS = seconds(t5);
            long restoredDocs = engine.describeCollection("bench-restored").get().info().documents();
            System.out.printf(Locale.ROOT, "engine: snapshot %.1f s (%d documents, %.1f MiB); tar archive %.1f s, %.1f MiB; restore from the archive %.1f s (%d documents)%n",
                    engineSnapS, s.documents(), s.bytes() / 1048576.0, archiveS, archiveBytes / 1048576.0, restoreS, restoredDocs);
            System.out.printf(Locale.ROOT, "ratio: snapshot time / cold copy time = %.2f (snapshot online, copy offline)%n", engineSnapS / copyS);
        }
        deleteTree(work);
    }

    private static EmbeddedDocument doc(Random r, String id, int dim) {
        float[] v = new float[dim];
        double n = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
            n += v[i] * v[i];
        }
        for (int i = 0; i < dim; i++) v[i] /= (float) Math.sqrt(n);
        StringBuilder text = new StringBuilder("document ").append(id).append(':');
        for (int w = 0; w < 40; w++) text.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
        return new EmbeddedDocument(new Document(id, text.toString(), Map.of()), v);
    }

    private static final String[] WORDS = ("river mountain city train snow castle market bridge harbour forest village museum "
            + "library garden winter summer station festival island valley").split(" ");

    /** Bytes of files with other hard links (shared with the collection) and of files that are the only link (new). */
    private static long[] sharedAndNew(Path dir) throws IOException {
        long[] out = new long[2];
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                int links = (Integer) Files.getAttribute(p, "unix:nlink");
                out[links > 1 ? 0 : 1] += Files.size(p);
            }
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
