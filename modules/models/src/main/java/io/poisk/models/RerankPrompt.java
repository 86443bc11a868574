package io.poisk.models;

import io.poisk.core.PoiskException;
import java.util.List;
import java.util.Map;

/**
 * How an LLM reranker is asked: {@code prefix + body + suffix}, each tokenised on its own (as the
 * models' usage code does; only the body takes the tokenizer's special tokens and is truncated).
 * The body has {query} and {document} and may have {instruction}; without it, the card's
 * instruction_template folds the instruction into the query (FollowIR).
 *
 * @param defaultInstruction used when a request brings none (Qwen3-Reranker's web-search one); may be null
 * @param answerTokens the two answer tokens in the order the traced model returns their logits: positive first
 */
public record RerankPrompt(String prefix, String body, String suffix, String defaultInstruction, List<String> answerTokens) {
    public static final String QUERY = "{query}";
    public static final String DOCUMENT = "{document}";

    public RerankPrompt {
        prefix = prefix == null ? "" : prefix;
        suffix = suffix == null ? "" : suffix;
        if (body == null || !body.contains(QUERY) || !body.contains(DOCUMENT)) {
            throw PoiskException.badRequest("prompt.body must contain " + QUERY + " and " + DOCUMENT + ", got " + body);
        }
        if (answerTokens == null || answerTokens.size() != 2) {
            throw PoiskException.badRequest("prompt.answer_tokens must name two tokens (positive first), got " + answerTokens);
        }
        answerTokens = List.copyOf(answerTokens);
    }

    /** The body with query, document and instruction put in, in one pass (user text is never expanded). */
    public String renderBody(String query, String document, String instruction) {
        String chosen = instruction == null || instruction.isBlank() ? defaultInstruction : instruction;
        return InputTemplates.fill(body, Map.of(QUERY, query, DOCUMENT, document,
                InputTemplates.INSTRUCTION, chosen == null ? "" : chosen));
    }

    public boolean takesInstruction() {
        return body.contains(InputTemplates.INSTRUCTION);
    }
}
