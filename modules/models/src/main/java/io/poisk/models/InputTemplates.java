package io.poisk.models;

import io.poisk.core.PoiskException;
import java.util.Map;
import java.util.Objects;

/**
 * The text a model sees around the user's text: the card's query_template and passage_template (each
 * with {text}) and the optional instruction_template (with {text} and {instruction}). Every kind has
 * them: embedders render what they embed, rerankers the query and the document they score.
 *
 * @param instruction null when the model takes no instructions
 */
public record InputTemplates(String query, String passage, String instruction) {
    public static final String TEXT = "{text}";
    public static final String INSTRUCTION = "{instruction}";

    /** A template without its placeholder is a BAD_REQUEST naming the card key (the caller adds which card). */
    public InputTemplates {
        check(query != null && query.contains(TEXT), "query_template must contain " + TEXT + ", got " + query);
        check(passage != null && passage.contains(TEXT), "passage_template must contain " + TEXT + ", got " + passage);
        check(instruction == null || (instruction.contains(TEXT) && instruction.contains(INSTRUCTION)),
                "instruction_template must contain " + TEXT + " and " + INSTRUCTION + " (or be null), got " + instruction);
    }

    /**
     * For a query with an instruction (and a card that takes instructions) the instruction template
     * first, then the role's template; e.g. e5 turns "capital of France" into "query: capital of France".
     * Instructions on passages, or on cards without an instruction template, are ignored: such models
     * were not trained with them.
     */
    public String render(String text, EmbeddingRole role, String instructionText) {
        Objects.requireNonNull(text, "text");
        String body = text;
        if (role == EmbeddingRole.QUERY && instruction != null && instructionText != null && !instructionText.isBlank()) {
            body = fill(instruction, Map.of(TEXT, body, INSTRUCTION, instructionText));
        }
        return fill(role == EmbeddingRole.QUERY ? query : passage, Map.of(TEXT, body));
    }

    /** Replaces the given placeholders in one pass, so braces inside the user's text are never expanded. */
    static String fill(String template, Map<String, String> values) {
        StringBuilder out = new StringBuilder(template.length() + 64);
        int i = 0;
        outer:
        while (i < template.length()) {
            if (template.charAt(i) == '{') {
                for (Map.Entry<String, String> v : values.entrySet()) {
                    if (template.startsWith(v.getKey(), i)) {
                        out.append(v.getValue());
                        i += v.getKey().length();
                        continue outer;
                    }
                }
            }
            out.append(template.charAt(i++));
        }
        return out.toString();
    }

    private static void check(boolean ok, String problem) {
        if (!ok) throw PoiskException.badRequest(problem);
    }
}
