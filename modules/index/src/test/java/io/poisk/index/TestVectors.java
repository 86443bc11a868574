package io.poisk.index;

import io.poisk.core.Document;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** Helpers for index tests: random unit vectors, documents, and crash snapshots of a folder. */
final class TestVectors {
    private TestVectors() {
    }

    static float[] unit(Random r, int dim) {
        float[] v = new float[dim];
        double n = 0;
        for (int i = 0; i < dim; i++) {
            v[i] = (float) r.nextGaussian();
            n += v[i] * v[i];
        }
        float inv = (float) (1 / Math.sqrt(n));
        for (int i = 0; i < dim; i++) v[i] *= inv;
        return v;
    }

    static EmbeddedDocument doc(String id, float[] v) {
        return new EmbeddedDocument(new Document(id, "text of " + id, Map.of("n", id.length())), v);
    }

    static List<EmbeddedDocument> docs(Random r, int dim, String prefix, int from, int to) {
        List<EmbeddedDocument> out = new ArrayList<>();
        for (int i = from; i < to; i++) out.add(doc(prefix + i, unit(r, dim)));
        return out;
    }

    /** Copies a folder tree as it is right now: what a process killed at this instant leaves on disk. */
    static void snapshot(Path from, Path to) throws IOException {
        List<Path> paths;
        try (Stream<Path> s = Files.walk(from)) {
            paths = s.toList();
        } catch (java.io.UncheckedIOException e) {
            if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) throw e;
            snapshot(from, to);   // a background flush renamed a folder under the walk: walk again
            return;
        }
        for (Path p : paths) {
            Path t = to.resolve(from.relativize(p).toString());
            try {
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.nio.file.NoSuchFileException gone) {
                // A background flush removed it between the walk and the copy (a temp file or a
                // covered log): a killed process would have left either state, both must open.
            }
        }
    }
}
