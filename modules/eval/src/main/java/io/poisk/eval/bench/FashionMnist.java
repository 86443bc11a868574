package io.poisk.eval.bench;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Fashion-MNIST images (784-d) from Debian's {@code dataset-fashion-mnist} IDX files, as unit vectors. */
final class FashionMnist {
    static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private FashionMnist() {
    }

    /** The first {@code base} training images and the first {@code queries} test images. */
    static VectorSet load(Path dir, int base, int queries) throws IOException {
        return new VectorSet("fashion-mnist",
                readImages(dir.resolve("train-images-idx3-ubyte.gz"), base),
                readImages(dir.resolve("t10k-images-idx3-ubyte.gz"), queries));
    }

    static float[][] readImages(Path file, int n) throws IOException {
        if (!Files.exists(file)) {
            throw new IllegalStateException("Fashion-MNIST not found at " + file + ": apt-get install dataset-fashion-mnist");
        }
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw), 1 << 16))) {
            int magic = in.readInt();
            if (magic != 2051) throw new IOException(file + " is not an IDX image file (magic " + magic + ")");
            int count = in.readInt(), rows = in.readInt(), cols = in.readInt();
            int dim = rows * cols;
            float[][] out = new float[Math.min(n, count)][dim];
            byte[] px = new byte[dim];
            for (float[] v : out) {
                in.readFully(px);
                for (int d = 0; d < dim; d++) v[d] = px[d] & 0xff;
                normalise(v);
            }
            return out;
        }
    }

    static void normalise(float[] v) {
        double norm = 0;
        for (float x : v) norm += x * x;
        if (norm == 0) return;
        float inv = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < v.length; d++) v[d] *= inv;
    }
}
