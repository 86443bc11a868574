package io.poisk.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class DocumentStoreTest {
    @TempDir
    Path dir;

    @Test
    void documentsUpToOneMegabyteRoundTripAndShrinkingReplacesDropPieces() throws Exception {
        byte[] big = new byte[1 << 20];
        new Random(7).nextBytes(big);
        try (DocumentStore s = DocumentStore.open(dir, 1024)) {
            s.put("big", big);
            s.put("small", "hello".getBytes(StandardCharsets.UTF_8));
            assertThat(s.get("big")).hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
            assertThat(s.get("small")).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("hello"));
            long withBig = s.entries();
            s.put("big", "now short".getBytes(StandardCharsets.UTF_8));
            assertThat(s.get("big")).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("now short"));
            assertThat(s.entries()).isEqualTo(2).isLessThan(withBig);
            s.put("big", big);
        }
        try (DocumentStore s = DocumentStore.open(dir, 1024)) {
            assertThat(s.get("big")).hasValueSatisfying(v -> assertThat(v).isEqualTo(big));
            assertThat(s.remove("big")).isTrue();
            assertThat(s.get("big")).isEmpty();
            assertThat(s.entries()).isEqualTo(1);
        }
    }

    @Test
    void growsFarPastItsInitialSizeAndKeepsEveryDocument() throws Exception {
        int n = 60_000;
        try (DocumentStore s = DocumentStore.open(dir, 1024)) {
            for (int i = 0; i < n; i++) s.put("doc-" + i, ("text of document " + i + " ".repeat(i % 300)).getBytes(StandardCharsets.UTF_8));
            assertThat(s.capacity()).isGreaterThanOrEqualTo(n);
            assertThat(s.entries()).isEqualTo(n);
        }
        try (DocumentStore s = DocumentStore.open(dir, 1024)) {
            for (int i = 0; i < n; i += 997) {
                assertThat(new String(s.get("doc-" + i).orElseThrow(), StandardCharsets.UTF_8)).startsWith("text of document " + i);
            }
            try (var files = Files.list(dir)) {
                assertThat(files.filter(p -> p.toString().endsWith(".cmap")).count()).isEqualTo(1);
            }
        }
    }

    /** The chunk is sized for short documents; documents of whole pieces must still fit (the map's extra tiers). */
    @Test
    void shortDocumentsTakeLittleDiskAndFullPiecesStillFit() throws Exception {
        int n = 20_000;
        Path shortDocs = dir.resolve("short"), fullPieces = dir.resolve("full");
        try (DocumentStore s = DocumentStore.open(shortDocs, 1024)) {
            for (int i = 0; i < n; i++) s.put("doc-" + i, ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
        }
        long bytesPerShort = cmapBytes(shortDocs) / n;
        // 1,762 B per document with the chunk sized for 1 KB values; about 530 with 256 B (measured at 75% fill)
        assertThat(bytesPerShort).as("file bytes per short document").isLessThan(1_000);
        byte[] piece = new byte[DocumentStore.PIECE_BYTES];
        new Random(3).nextBytes(piece);
        try (DocumentStore s = DocumentStore.open(fullPieces, 1024)) {
            for (int i = 0; i < n; i++) s.put("doc-" + i, piece);
            for (int i = 0; i < n; i += 499) assertThat(s.get("doc-" + i)).hasValueSatisfying(v -> assertThat(v).isEqualTo(piece));
        }
        System.out.printf("document map file: %d B per short document, %d B per %d-byte document%n", bytesPerShort,
                cmapBytes(fullPieces) / n, piece.length);
    }

    private static long cmapBytes(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".cmap")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void opensAfterAnUncleanStop() throws Exception {
        Path copy = dir.resolve("copy");
        DocumentStore s = DocumentStore.open(dir.resolve("live"), 1024);
        for (int i = 0; i < 500; i++) s.put("d" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
        s.put("long", new byte[10_000]);
        // Snapshot the folder while the map is open: what a killed process leaves behind.
        Files.createDirectories(copy);
        try (var files = Files.list(dir.resolve("live"))) {
            for (Path p : files.toList()) Files.copy(p, copy.resolve(p.getFileName()));
        }
        s.close();
        try (DocumentStore r = DocumentStore.open(copy, 1024)) {
            assertThat(r.get("d499")).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("v499"));
            assertThat(r.get("long")).hasValueSatisfying(v -> assertThat(v).hasSize(10_000));
            r.put("after", new byte[]{1});
            assertThat(r.get("after")).isPresent();
        }
    }
}
