package io.poisk.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The snapshot's copy-on-write dump: documents changed, added or deleted while it runs come out as they were when it began. */
class DocumentDumpTest {
    @TempDir
    Path tmp;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void changesDuringTheDumpDoNotShowInIt() throws Exception {
        String longOld = "old ".repeat(2000), longNew = "new ".repeat(3000); // several pieces each
        try (DocumentStore store = DocumentStore.open(tmp.resolve("docs"), DocumentStore.INITIAL_ENTRIES)) {
            store.put("a", bytes("a at the start"));
            store.put("b", bytes("b at the start"));
            store.put("c", bytes(longOld));
            for (int i = 0; i < 50; i++) store.put("x" + i, bytes("x" + i));
            store.beginDump();
            // Changed before the dump reads them: replaced, deleted, a long one replaced, a new one added.
            store.put("a", bytes("a replaced"));
            store.remove("b");
            store.put("c", bytes(longNew));
            store.put("new", bytes("added after the dump began"));
            Map<String, String> dumped = new HashMap<>();
            int[] calls = {0};
            store.dump((id, doc) -> {
                // And while it runs: every x is replaced or deleted as the dump goes.
                if (calls[0]++ == 0) {
                    for (int i = 0; i < 50; i++) {
                        if (i % 2 == 0) store.put("x" + i, bytes("x" + i + " replaced"));
                        else store.remove("x" + i);
                    }
                }
                assertThat(dumped.put(id, new String(doc, StandardCharsets.UTF_8))).as("each id once").isNull();
            });
            Map<String, String> expected = new HashMap<>(Map.of("a", "a at the start", "b", "b at the start", "c", longOld));
            for (int i = 0; i < 50; i++) expected.put("x" + i, "x" + i);
            assertThat(dumped).isEqualTo(expected);
            // The store itself has every change, and keeps no earlier bytes once the dump is over.
            assertThat(store.get("a")).hasValueSatisfying(d -> assertThat(new String(d, StandardCharsets.UTF_8)).isEqualTo("a replaced"));
            assertThat(store.get("b")).isEmpty();
            assertThat(store.get("c")).hasValueSatisfying(d -> assertThat(new String(d, StandardCharsets.UTF_8)).isEqualTo(longNew));
            store.beginDump(); // a second dump may begin: the first one ended
            store.endDump();
        }
    }
}
