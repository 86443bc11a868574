package io.poisk.index;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SnippetsTest {
    private final Snippets auto = new Snippets(new LexicalFields(CollectionOptions.defaults()));
    private final Snippets russian = new Snippets(new LexicalFields(new CollectionOptions(CollectionOptions.Language.RU, Map.of())));

    @Test
    void marksRussianWordFormsTheAnalyzerMatches() {
        String text = "Волга — крупнейшая река Европы. Она впадает в Каспийское море.";
        assertThat(russian.snippet("реки", text, false, 200)).isEqualTo("Волга — крупнейшая <mark>река</mark> Европы.");
        assertThat(auto.snippet("в какое море впадает", text, false, 200))
                .contains("<mark>впадает</mark>").contains("<mark>море</mark>").doesNotContain("<mark>в</mark>");
    }

    @Test
    void findsAMatchInTheLastKilobyteOfAMegabyte() {
        StringBuilder text = new StringBuilder();
        while (text.length() < 1_000_000) text.append("Lorem ipsum dolor sit amet, consectetur adipiscing elit. ");
        text.append("The zeppelin landed in Friedrichshafen at dawn. ");
        for (int i = 0; i < 10; i++) text.append("Lorem ipsum dolor sit amet. ");
        String snippet = auto.snippet("zeppelin", text.toString(), false, 160);
        assertThat(snippet).isEqualTo("The <mark>zeppelin</mark> landed in Friedrichshafen at dawn.");
    }

    @Test
    void cutsALongSentenceToAWindowAroundTheMatchAtWordBoundaries() {
        String text = "word ".repeat(300) + "needle " + "tail ".repeat(300);
        String snippet = auto.snippet("needle", text, false, 100);
        assertThat(snippet).startsWith("…").endsWith("…").contains("<mark>needle</mark>");
        String plain = snippet.replace("<mark>", "").replace("</mark>", "").replace("…", "").strip();
        assertThat(plain.length()).isLessThanOrEqualTo(100);
        assertThat(plain.split(" ")).allMatch(w -> w.equals("word") || w.equals("needle") || w.equals("tail"));
    }

    @Test
    void escapesHtmlSoAPageCanInsertIt() {
        String snippet = auto.snippet("script", "<script>alert('x')</script> & more", false, 200);
        assertThat(snippet).isEqualTo("&lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt; &amp; more");
    }

    @Test
    void withoutAMatchTheTextStartsTheSnippet() {
        assertThat(auto.snippet("absent", "First sentence here. Second one.", false, 200)).isEqualTo("First sentence here.");
        assertThat(auto.snippet("absent", "x".repeat(50) + " " + "y".repeat(50), false, 60)).isEqualTo("x".repeat(50) + "…");
        assertThat(auto.snippet("the", "Only stop words in the query.", false, 200)).isEqualTo("Only stop words in the query.");
    }

    @Test
    void anUnfinishedLastWordMatchesAsAPrefixInLiveSearch() {
        String text = "Москва — столица России.";
        assertThat(russian.snippet("столица моск", text, true, 200)).contains("<mark>Москва</mark>").contains("<mark>столица</mark>");
        assertThat(russian.snippet("столица моск", text, false, 200)).doesNotContain("<mark>Москва</mark>");
        assertThat(LexicalFields.unfinishedWord("столица моск")).isEqualTo("моск");
        assertThat(LexicalFields.unfinishedWord("столица м")).isNull();
        assertThat(LexicalFields.unfinishedWord("столица ")).isNull();
    }
}
