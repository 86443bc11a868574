package io.poisk.index;

import io.poisk.core.CollectionSchema;
import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.Hit;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every filter operator, on every field type, gives exactly the documents its predicate accepts, in
 * the dense and in the lexical search, live and on disk; bad filters are INVALID_QUERY with a message
 * that names the problem.
 */
class FilterSearchTest {
    private static final int DIM = 8;
    private static final int N = 300;
    private static final String[] TAGS = {"news", "sport", "science"};

    @TempDir
    Path tmp;

    private static Map<String, Object> fieldsOf(int i) {
        Map<String, Object> f = new java.util.HashMap<>();
        f.put("tag", TAGS[i % 3]);
        f.put("year", 2000 + i % 25);
        f.put("price", i * 0.5);
        f.put("published", LocalDate.of(2020, 1, 1).plusDays(i).toString());
        f.put("open", i % 2 == 0);
        if (i % 7 == 0) f.put("labels", List.of("red", "x" + i));
        f.put("undeclared", "ignored");
        return f;
    }

    @Test
    void filtersSelectExactlyTheirDocumentsInDenseAndLexicalSearchLiveAndOnDisk() throws Exception {
        CollectionOptions options = new CollectionOptions(CollectionOptions.Language.EN, Map.of(
                "tag", FieldType.KEYWORD, "year", FieldType.LONG, "price", FieldType.DOUBLE, "published", FieldType.DATE,
                "open", FieldType.BOOLEAN, "labels", FieldType.KEYWORD));
        Random r = new Random(11);
        List<EmbeddedDocument> docs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            docs.add(new EmbeddedDocument(new Document("d" + i, "common words about item " + i, fieldsOf(i)), TestVectors.unit(r, DIM)));
        }
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("f"), new CollectionSchema("f", "random", DIM, "cosine"),
                options, IndexOptions.defaults())) {
            c.upsert(docs);
            check(c);
            c.flush();
            check(c);
        }
    }

    private static void check(CollectionIndex c) {
        long day150 = LocalDate.of(2020, 1, 1).plusDays(150).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        expect(c, Map.of("tag", "sport"), i -> i % 3 == 1);
        expect(c, Map.of("term", Map.of("open", true)), i -> i % 2 == 0);
        expect(c, Map.of("in", Map.of("year", List.of(2001, 2003))), i -> i % 25 == 1 || i % 25 == 3);
        expect(c, Map.of("range", Map.of("price", Map.of("gte", 10.0, "lt", 20.5))), i -> i * 0.5 >= 10 && i * 0.5 < 20.5);
        expect(c, Map.of("range", Map.of("year", Map.of("gt", 2020))), i -> 2000 + i % 25 > 2020);
        expect(c, Map.of("range", Map.of("published", Map.of("lte", "2020-05-30"))), i -> i <= 150);
        expect(c, Map.of("range", Map.of("published", Map.of("gt", day150))), i -> i > 150);
        expect(c, Map.of("exists", "labels"), i -> i % 7 == 0);
        expect(c, Map.of("labels", "red"), i -> i % 7 == 0);
        expect(c, Map.of("not", Map.of("tag", "news")), i -> i % 3 != 0);
        expect(c, Map.of("or", List.of(Map.of("tag", "news"), Map.of("exists", "labels"))), i -> i % 3 == 0 || i % 7 == 0);
        expect(c, Map.of("and", List.of(Map.of("tag", "science"), Map.of("range", Map.of("year", Map.of("lt", 2010))),
                Map.of("not", Map.of("open", false)))), i -> i % 3 == 2 && 2000 + i % 25 < 2010 && i % 2 == 0);
        expect(c, Map.of("tag", "science", "open", true), i -> i % 3 == 2 && i % 2 == 0);
        expect(c, Map.of("tag", "nothing-has-this"), i -> false);
    }

    private static void expect(CollectionIndex c, Map<String, Object> json, IntPredicate predicate) {
        Filter f = c.parseFilter(json);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < N; i++) if (predicate.test(i)) expected.add("d" + i);
        float[] anyVector = TestVectors.unit(new Random(json.hashCode()), DIM);
        List<Hit> dense = c.search(SearchQuery.dense(anyVector, N, f)).hits();
        List<Hit> lexical = c.search(SearchQuery.lexical("common words", N, f)).hits();
        assertThat(ids(dense)).as("dense %s", json).isEqualTo(expected);
        assertThat(ids(lexical)).as("lexical %s", json).isEqualTo(expected);
    }

    private static Set<String> ids(List<Hit> hits) {
        Set<String> out = new HashSet<>();
        for (Hit h : hits) assertThat(out.add(h.id())).as("duplicate %s", h.id()).isTrue();
        return out;
    }

    @Test
    void badFiltersAndBadFieldValuesAreClearErrors() throws Exception {
        CollectionOptions options = new CollectionOptions(CollectionOptions.Language.RU,
                Map.of("tag", FieldType.KEYWORD, "year", FieldType.LONG, "day", FieldType.DATE));
        try (CollectionIndex c = CollectionIndex.create(tmp.resolve("e"), new CollectionSchema("e", "random", DIM, "cosine"),
                options, IndexOptions.defaults())) {
            assertInvalid(() -> c.parseFilter(Map.of("author", "x")), "undeclared field 'author'");
            assertInvalid(() -> c.parseFilter(Map.of("term", Map.of("author", "x"))), "'author'", "not declared");
            assertInvalid(() -> c.parseFilter(Map.of("year", "nineteen")), "field 'year' of type long");
            assertInvalid(() -> c.parseFilter(Map.of("range", Map.of("tag", Map.of("gte", "a")))), "range filters take");
            assertInvalid(() -> c.parseFilter(Map.of("range", Map.of("year", Map.of("from", 1)))), "unknown range bound 'from'");
            assertInvalid(() -> c.parseFilter(Map.of("range", Map.of("day", Map.of("gte", "yesterday")))), "ISO-8601");
            assertInvalid(() -> c.parseFilter(Map.of("and", List.of())), "non-empty list");
            assertInvalid(() -> c.parseFilter(Map.of("exists", 3)), "field name");
            assertThat(c.parseFilter(Map.of())).isNull();
            assertThatThrownBy(() -> c.upsert(List.of(new EmbeddedDocument(new Document("z", "t", Map.of("year", "soon")),
                    TestVectors.unit(new Random(1), DIM)))))
                    .isInstanceOfSatisfying(PoiskException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT);
                        assertThat(e.getMessage()).contains("'year'", "long");
                    });
            assertThat(c.documentCount()).isZero();
        }
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String... fragments) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PoiskException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_QUERY);
            assertThat(e.getMessage()).contains(fragments);
        });
    }
}
