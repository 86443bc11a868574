package io.poisk.index;

import io.poisk.core.Document;
import io.poisk.core.PoiskException;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The child of {@link DiskFullTest}: opens a collection and, for each line {@code <first> <count>} on stdin,
 * upserts that batch and answers {@code ok}, or {@code err <code> <message>}.
 */
final class DiskFullWriter {
    static final IndexOptions OPTS = new IndexOptions(16, 64, 64, 2, 20_000, 10_000, 2, 1 << 20, 0, 0);

    static String textOf(String id) {
        return "text of " + id + " " + "filler ".repeat(150);
    }

    public static void main(String[] args) throws Exception {
        CollectionIndex c = CollectionIndex.open(Path.of(args[0]), OPTS);
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] parts = line.trim().split(" ");
            int first = Integer.parseInt(parts[0]);
            List<EmbeddedDocument> batch = new ArrayList<>();
            for (int i = first; i < first + Integer.parseInt(parts[1]); i++) {
                batch.add(new EmbeddedDocument(new Document("c" + i, textOf("c" + i), Map.of()), CrashingWriter.vectorOf(i)));
            }
            try {
                c.upsert(batch);
                System.out.println("ok");
            } catch (PoiskException e) {
                System.out.println("err " + e.code().code() + " " + e.getMessage().replace('\n', ' '));
            }
            System.out.flush();
        }
    }
}
