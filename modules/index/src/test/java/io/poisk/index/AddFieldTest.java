package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.core.SearchMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Declaring a typed field on a collection that holds documents indexes the old ones (disk and live) for filters. */
class AddFieldTest {
    private static final int DIM = 8;

    @TempDir
    Path tmp;

    private static EmbeddedDocument doc(int i, Random r, Object colour) {
        return new EmbeddedDocument(new Document("d" + i, "words of document " + i, Map.of("colour", colour, "i", i)),
                TestVectors.unit(r, DIM));
    }

    private static Set<String> matching(CollectionIndex c, Map<String, Object> filter) {
        Set<String> ids = new HashSet<>();
        var q = new SearchQuery(SearchMode.DENSE, TestVectors.unit(new Random(1), DIM), "words", 100, c.parseFilter(filter), null);
        c.search(q).hits().forEach(h -> ids.add(h.id()));
        return ids;
    }

    @Test
    void aDeclaredFieldFiltersOldDocumentsOnDiskAndLiveAndSurvivesAReopen() throws Exception {
        Path dir = tmp.resolve("a");
        Random r = new Random(9);
        Set<String> red = new HashSet<>();
        try (CollectionIndex c = CollectionIndex.create(dir, new CollectionSchema("a", "random", DIM, "cosine"),
                CollectionOptions.defaults(), IndexOptions.defaults())) {
            List<EmbeddedDocument> docs = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                docs.add(doc(i, r, i % 3 == 0 ? "red" : "blue"));
                if (i % 3 == 0) red.add("d" + i);
            }
            c.upsert(docs.subList(0, 30));
            c.flush();
            c.upsert(docs.subList(30, 45));
            c.flush();
            c.upsert(docs.subList(45, 60)); // live
            assertThatThrownBy(() -> c.parseFilter(Map.of("colour", "red"))).isInstanceOf(PoiskException.class);

            assertThat(c.addField("colour", FieldType.KEYWORD)).isTrue();
            assertThat(matching(c, Map.of("colour", "red"))).isEqualTo(red);
            assertThat(c.options().fields()).containsEntry("colour", FieldType.KEYWORD);
            assertThat(c.addField("colour", FieldType.KEYWORD)).as("same type: nothing to do").isFalse();
            assertThatThrownBy(() -> c.addField("colour", FieldType.LONG)).isInstanceOf(PoiskException.class)
                    .satisfies(e -> assertThat(((PoiskException) e).code()).isEqualTo(ErrorCode.FIELD_EXISTS));
            // New writes are checked against the declaration and indexed for it.
            assertThatThrownBy(() -> c.upsert(List.of(new EmbeddedDocument(new Document("bad", "x", Map.of("colour", 5.5)),
                    TestVectors.unit(r, DIM))))).isInstanceOf(PoiskException.class);
            c.upsert(List.of(doc(100, r, "red")));
            red.add("d100");
            assertThat(matching(c, Map.of("colour", "red"))).isEqualTo(red);
        }
        try (CollectionIndex c = CollectionIndex.open(dir, IndexOptions.defaults())) {
            assertThat(c.options().fields()).containsEntry("colour", FieldType.KEYWORD);
            assertThat(matching(c, Map.of("colour", "red"))).isEqualTo(red);
            assertThat(matching(c, Map.of("colour", "blue"))).hasSize(40);
        }
    }

    @Test
    void aStoredValueOfAnotherTypeRefusesTheDeclarationAndLeavesTheFieldUndeclared() throws Exception {
        Path dir = tmp.resolve("b");
        Random r = new Random(10);
        try (CollectionIndex c = CollectionIndex.create(dir, new CollectionSchema("b", "random", DIM, "cosine"),
                CollectionOptions.defaults(), IndexOptions.defaults())) {
            c.upsert(List.of(doc(1, r, 7), doc(2, r, "seven")));
            assertThatThrownBy(() -> c.addField("colour", FieldType.LONG)).isInstanceOf(PoiskException.class)
                    .hasMessageContaining("d2").hasMessageContaining("patch");
            assertThat(c.options().fields()).doesNotContainKey("colour");
            assertThat(c.addField("i", FieldType.LONG)).isTrue();
            assertThat(matching(c, Map.of("i", 2))).containsExactly("d2");
        }
        try (CollectionIndex c = CollectionIndex.open(dir, IndexOptions.defaults())) {
            assertThat(c.options().fields()).containsOnlyKeys("i");
        }
    }
}
