package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.Hit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upserts and deletes keep the lexical and the dense side in step: a replaced or deleted text (and
 * its old field values) is never found by either, in the live segment, after a flush, after a
 * merge, after a restart that replays the log, and after a clean restart.
 */
class LexicalConsistencyTest {
    private static final int DIM = 16;

    @TempDir
    Path tmp;

    @Test
    void replacedAndDeletedTextsAreNeverFoundBeforeOrAfterFlushMergeAndRestart() throws Exception {
        Random r = new Random(3);
        Path dir = tmp.resolve("c");
        CollectionSchema schema = new CollectionSchema("c", "random", DIM, "cosine");
        CollectionOptions options = new CollectionOptions(CollectionOptions.Language.AUTO, Map.of("color", FieldType.KEYWORD));
        float[] oldA = TestVectors.unit(r, DIM), newA = TestVectors.unit(r, DIM), vB = TestVectors.unit(r, DIM);
        List<EmbeddedDocument> filler = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            filler.add(new EmbeddedDocument(new Document("x" + i, "обычный текст номер " + i + " про погоду", Map.of("color", "grey")),
                    TestVectors.unit(r, DIM)));
        }
        IndexOptions opts = IndexOptions.defaults();
        try (CollectionIndex c = CollectionIndex.create(dir, schema, options, opts)) {
            c.upsert(filler);
            c.upsert(List.of(doc("a", "Рыжая лисица прыгает через забор", "red", oldA), doc("b", "Синий кит плывёт в океане", "blue", vB)));
            c.flush(); // old texts now live in an on-disk segment too
            c.upsert(List.of(doc("a", "Зелёная черепаха ползёт медленно", "green", newA)));
            assertThat(c.delete("b")).isTrue();
            checkInStep(c, oldA, newA, vB, "live replacement over a flushed original");
        }
        try (CollectionIndex c = CollectionIndex.open(dir, opts)) {
            checkInStep(c, oldA, newA, vB, "after a restart that replays the log");
            c.flush();
            checkInStep(c, oldA, newA, vB, "after a flush");
            c.upsert(List.of(doc("y", "ещё один документ про кита", "blue", TestVectors.unit(r, DIM))));
            c.flush();
            assertThat(c.segmentCount()).isGreaterThan(1);
            c.merge();
            assertThat(c.segmentCount()).isEqualTo(1);
            checkInStep(c, oldA, newA, vB, "after a merge");
        }
        try (CollectionIndex c = CollectionIndex.open(dir, opts)) {
            checkInStep(c, oldA, newA, vB, "after a clean restart");
            assertThat(c.delete("a")).isTrue();
            c.flush();
            assertThat(lexicalIds(c, "черепаха", null)).doesNotContain("a");
            assertThat(denseIds(c, newA, null)).doesNotContain("a");
        }
        try (CollectionIndex c = CollectionIndex.open(dir, opts)) {
            assertThat(lexicalIds(c, "черепаха", null)).doesNotContain("a");
            assertThat(lexicalIds(c, "лисица", null)).doesNotContain("a");
            assertThat(denseIds(c, newA, null)).doesNotContain("a");
        }
    }

    private void checkInStep(CollectionIndex c, float[] oldA, float[] newA, float[] vB, String state) {
        Filter red = c.parseFilter(Map.of("color", "red"));
        Filter green = c.parseFilter(Map.of("color", "green"));
        Filter blue = c.parseFilter(Map.of("color", "blue"));
        assertThat(lexicalIds(c, "лисица забор", null)).as(state).doesNotContain("a");
        assertThat(lexicalIds(c, "черепаха", null)).as(state).containsExactly("a");
        assertThat(lexicalIds(c, "кит океан", null)).as(state).doesNotContain("b");
        assertThat(lexicalIds(c, "черепаха", red)).as(state).isEmpty();
        assertThat(lexicalIds(c, "черепаха", green)).as(state).containsExactly("a");
        assertThat(denseIds(c, oldA, red)).as(state).isEmpty();
        assertThat(denseIds(c, newA, green)).as(state).containsExactly("a");
        assertThat(denseIds(c, vB, blue)).as(state).doesNotContain("b");
        // Every copy of a is the new one: its dense score for the new vector is 1, and it appears once.
        List<Hit> all = c.search(SearchQuery.dense(newA, 100, null)).hits();
        assertThat(all.stream().filter(h -> h.id().equals("a")).toList()).as(state).singleElement()
                .satisfies(h -> assertThat(h.score()).isGreaterThan(0.999f));
        assertThat(all).as(state).extracting(Hit::id).doesNotContain("b");
        SearchResults hybrid = c.search(SearchQuery.hybrid(oldA, "лисица кит", 100, null, null));
        assertThat(hybrid.hits()).as(state).extracting(Hit::id).doesNotContain("b");
        assertThat(hybrid.lexical()).as(state).extracting(Hit::id).doesNotContain("a", "b");
    }

    private static List<String> lexicalIds(CollectionIndex c, String text, Filter f) {
        return c.search(SearchQuery.lexical(text, 100, f)).hits().stream().map(Hit::id).toList();
    }

    private static List<String> denseIds(CollectionIndex c, float[] v, Filter f) {
        return c.search(SearchQuery.dense(v, 100, f)).hits().stream().map(Hit::id).toList();
    }

    private static EmbeddedDocument doc(String id, String text, String color, float[] v) {
        return new EmbeddedDocument(new Document(id, text, Map.of("color", color)), v);
    }
}
