package io.poisk.models;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Passages from the e5 tokenizer (no model run): windows of tokens covering every character, offsets in UTF-16. */
class PassageSplitterTest {
    private static PassageSplitter splitter;
    private static EmbedderCard card;

    @BeforeAll
    static void open() throws Exception {
        card = (EmbedderCard) ModelCard.load(Path.of(System.getProperty("poisk.models.dir"), "e5-small-v2", "card.json"));
        splitter = PassageSplitter.forCard(card);
    }

    @AfterAll
    static void close() {
        splitter.close();
    }

    @Test
    void windowLeavesRoomForTemplateAndSpecialTokens() {
        // "passage: " is [CLS] passage : [SEP] in e5's tokenizer: 4 tokens of 512, and the edge margin.
        assertThat(splitter.window()).isEqualTo(512 - 4 - PassageSplitter.EDGE_MARGIN);
    }

    @Test
    void shortTextIsOnePassageOfAllOfIt() {
        assertThat(splitter.split("Короткий текст.", null, 64)).containsExactly(new PassageSplitter.Span(0, 15));
        assertThat(splitter.split("", null, 64)).containsExactly(new PassageSplitter.Span(0, 0));
    }

    @Test
    void longTextIsCoveredByOverlappingWindows() {
        StringBuilder b = new StringBuilder("😀 начало ");
        for (int i = 0; i < 600; i++) b.append("слово").append(i).append(i % 7 == 0 ? ".\n" : " ");
        b.append("конец 🎉");
        String text = b.toString();
        List<PassageSplitter.Span> spans = splitter.split(text, 100, 20);
        assertThat(spans.size()).isGreaterThan(10);
        assertThat(spans.getFirst().start()).isZero();
        assertThat(spans.getLast().end()).isEqualTo(text.length());
        for (int i = 1; i < spans.size(); i++) {
            assertThat(spans.get(i).start()).as("passage %d overlaps the previous one", i).isLessThan(spans.get(i - 1).end());
            assertThat(spans.get(i).start()).isGreaterThan(spans.get(i - 1).start());
        }
        HuggingFaceTokenizerCheck.assertWindows(card, text, spans, 100);
        // Windows of one length: the last is no short fragment.
        int last = spans.getLast().end() - spans.getLast().start(), first = spans.getFirst().end() - spans.getFirst().start();
        assertThat((double) last / first).isBetween(0.7, 1.3);
    }

    @Test
    void offsetsAreJavaStringIndexesAfterAnEmoji() {
        String text = "😀😀 " + "hello world ".repeat(40); // one token per word in e5's vocabulary
        List<PassageSplitter.Span> spans = splitter.split(text, 16, 4); // overlapping: each starts at a token
        // Every passage after the first starts on a word boundary of the Java string (a code-point offset read
        // as a UTF-16 index would land two characters early, inside a word).
        for (PassageSplitter.Span s : spans.subList(1, spans.size())) {
            assertThat(text.substring(s.start(), s.start() + 5)).isIn("hello", "world");
        }
        assertThat(text.substring(spans.getFirst().start(), spans.getFirst().end())).startsWith("😀😀 hello");
    }
}
