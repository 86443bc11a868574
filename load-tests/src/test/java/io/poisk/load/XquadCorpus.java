package io.poisk.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * XQuAD-ru as a retrieval set: the paragraphs are the corpus, the questions are the queries.
 * Paragraph ids are {@code a<article>-p<paragraph>}, the ids {@code run.sh} loads them under.
 * The file and some contexts start with a byte-order mark, which is removed everywhere.
 */
public record XquadCorpus(List<Paragraph> paragraphs, List<Question> questions) {
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?…])\\s+");

    public record Paragraph(String id, String title, String text) {}

    public record Question(String id, String text, String paragraphId) {}

    public static XquadCorpus load(Path file) {
        try {
            String json = stripBom(Files.readString(file, StandardCharsets.UTF_8));
            JsonNode articles = new ObjectMapper().readTree(json).path("data");
            List<Paragraph> paragraphs = new ArrayList<>();
            List<Question> questions = new ArrayList<>();
            for (int a = 0; a < articles.size(); a++) {
                JsonNode article = articles.get(a);
                String title = stripBom(article.path("title").asText(""));
                JsonNode ps = article.path("paragraphs");
                for (int p = 0; p < ps.size(); p++) {
                    String pid = "a" + a + "-p" + p;
                    paragraphs.add(new Paragraph(pid, title, stripBom(ps.get(p).path("context").asText()).strip()));
                    for (JsonNode qa : ps.get(p).path("qas")) {
                        questions.add(new Question(qa.path("id").asText(), stripBom(qa.path("question").asText()).strip(), pid));
                    }
                }
            }
            if (paragraphs.isEmpty() || questions.isEmpty()) {
                throw new IllegalStateException(file + " holds no SQuAD paragraphs/questions under \"data\"");
            }
            return new XquadCorpus(List.copyOf(paragraphs), List.copyOf(questions));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read XQuAD from " + file + " (set -Dpoisk.xquad)", e);
        }
    }

    /** Every sentence of every paragraph: the raw material for generated ingest documents. */
    public List<String> sentences() {
        List<String> out = new ArrayList<>();
        for (Paragraph p : paragraphs) {
            for (String s : SENTENCE_END.split(p.text())) {
                if (!s.isBlank()) out.add(s.strip());
            }
        }
        return out;
    }

    static String stripBom(String s) {
        return s.replace("\uFEFF", "");
    }
}
