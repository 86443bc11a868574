package io.poisk.core;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValidationTest {

    @Test
    void collectionNames() {
        assertThat(CollectionName.validate("news-ru_2")).isEqualTo("news-ru_2");
        assertThat(CollectionName.validate("a".repeat(64))).hasSize(64);
        for (String bad : new String[]{"", "-x", "_x", "News", "a b", "a/b", "a".repeat(65), "привет"}) {
            assertThatThrownBy(() -> CollectionName.validate(bad))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_NAME))
                    .hasMessageContaining("[a-z0-9][a-z0-9_-]{0,63}");
        }
    }

    @Test
    void documentIds() {
        String longest = "я".repeat(DocumentId.MAX_BYTES / 2);
        for (String ok : new String[]{"a", "a/b", "a/../b", "...", ".a", "д-1 x", "\uD83D\uDE80", longest}) {
            assertThat(DocumentId.validate(ok, "doc")).isEqualTo(ok);
        }
        for (String bad : new String[]{"", " ", ".", "..", "a\u0000b", "tab\there", "del\u007f", "c1\u0085", "\uD800x", "x\uDC00",
                longest + "a", "x".repeat(10_000)}) {
            assertThatThrownBy(() -> DocumentId.validate(bad, "documents[3]"))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT))
                    .hasMessageContaining("documents[3]").hasMessageContaining("'id'");
        }
    }

    @Test
    void searchModes() {
        assertThatThrownBy(() -> SearchMode.parse("fuzzy")).hasMessageContaining("dense, lexical, hybrid");
        assertThat(SearchMode.parse("Hybrid")).isEqualTo(SearchMode.HYBRID);
    }

    @Test
    void documentCodecRoundTripsUnicodeAndNestedFields() {
        Document d = new Document("д-1", "Москва — столица России. \uD83D\uDE80", Map.of("year", 2024, "tags", java.util.List.of("a", "b"),
                "meta", Map.of("ok", true)));
        Document back = DocumentCodec.decode(DocumentCodec.encode(d));
        assertThat(back).isEqualTo(d);
    }

    @Test
    void unwrapFindsThePoiskExceptionInsideWrappers() {
        PoiskException inner = new PoiskException(ErrorCode.OVERLOADED, "busy");
        assertThat(PoiskException.from(new java.util.concurrent.CompletionException(inner))).isSameAs(inner);
        assertThat(PoiskException.from(new IllegalStateException("x")).code()).isEqualTo(ErrorCode.INTERNAL);
    }
}
