package io.poisk.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.PoiskException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a model wants its input and how its output becomes a vector or a score: the {@code card.json}
 * that lies beside the weights (snake_case keys: id, artifact, engine, tokenizer, pooling, query_template,
 * passage_template, instruction_template, max_length, dimension, normalize; since issue 4 also kind,
 * truncate_dim, padding_side, append_eos, eos_token, inputs, prefix_separator, prompt). Cards written
 * before issue 4 load unchanged: every new key has a default.
 *
 * @param directory the folder holding card.json, the artifact and the tokenizer
 * @param instructionTemplate null when the model takes no instructions
 * @param dimension the length of the vectors this card produces (truncate_dim when that is set);
 *                  for rerankers the number of outputs of the traced model (1 or 2)
 * @param kind {@link #EMBEDDER}, {@link #CROSS_ENCODER} or {@link #LLM_RERANKER}
 * @param truncateDim Matryoshka truncation: keep the first d features, then re-normalise; null for none
 * @param paddingSide "right" (encoders) or "left" (decoders that read the last position)
 * @param eosToken when not null, this token is appended to every sequence (after truncating one shorter)
 * @param inputs the traced model's inputs, in order: input_ids, attention_mask and optionally token_type_ids
 * @param prefixSeparator for prefix_mean pooling: the token that ends the prefix (":" for NV-Retriever)
 * @param prompt for LLM rerankers: the prompt around query and document and the two answer tokens
 */
public record ModelCard(
        String id,
        Path directory,
        String artifact,
        String engine,
        String tokenizer,
        String pooling,
        String queryTemplate,
        String passageTemplate,
        String instructionTemplate,
        int maxLength,
        int dimension,
        boolean normalize,
        String kind,
        Integer truncateDim,
        String paddingSide,
        String eosToken,
        List<String> inputs,
        String prefixSeparator,
        RerankPrompt prompt) {

    public static final String TEXT = "{text}";
    public static final String INSTRUCTION = "{instruction}";
    public static final Set<String> ENGINES = Set.of("onnx", "pytorch");
    public static final Set<String> POOLINGS = Set.of("mean", "cls", "last_token", "prefix_mean");
    public static final String EMBEDDER = "embedder";
    public static final String CROSS_ENCODER = "cross_encoder";
    public static final String LLM_RERANKER = "llm_reranker";
    public static final Set<String> KINDS = Set.of(EMBEDDER, CROSS_ENCODER, LLM_RERANKER);
    public static final Set<String> PADDING_SIDES = Set.of("right", "left");
    public static final Set<String> INPUT_NAMES = Set.of("input_ids", "attention_mask", "token_type_ids");
    public static final List<String> ENCODER_INPUTS = List.of("input_ids", "attention_mask", "token_type_ids");

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validates every field; a bad card is a {@code BAD_REQUEST} that names the card and the field. */
    public ModelCard {
        String where = "model card " + (id == null ? "" : "'" + id + "' ") + "in " + directory;
        require(id != null && ID.matcher(id).matches(), where, "id must match " + ID.pattern() + ", got " + id);
        require(directory != null, where, "directory is required");
        require(engine != null && ENGINES.contains(engine), where, "engine must be one of " + ENGINES + ", got " + engine);
        require(pooling != null && POOLINGS.contains(pooling), where, "pooling must be one of " + POOLINGS + ", got " + pooling);
        requireFile(directory, artifact, "artifact", where);
        requireFile(directory, tokenizer, "tokenizer", where);
        String extension = engine.equals("onnx") ? ".onnx" : ".pt";
        require(artifact.endsWith(extension), where, "engine '" + engine + "' needs a " + extension + " artifact, got " + artifact);
        require(queryTemplate != null && queryTemplate.contains(TEXT), where, "query_template must contain " + TEXT + ", got " + queryTemplate);
        require(passageTemplate != null && passageTemplate.contains(TEXT), where, "passage_template must contain " + TEXT + ", got " + passageTemplate);
        require(instructionTemplate == null || (instructionTemplate.contains(TEXT) && instructionTemplate.contains(INSTRUCTION)),
                where, "instruction_template must contain " + TEXT + " and " + INSTRUCTION + " (or be null), got " + instructionTemplate);
        require(maxLength > 0, where, "max_length must be a positive number of tokens, got " + maxLength);
        require(dimension > 0, where, "dimension must be positive, got " + dimension);
        require(kind != null && KINDS.contains(kind), where, "kind must be one of " + KINDS + ", got " + kind);
        require(truncateDim == null || truncateDim == dimension, where,
                "truncate_dim " + truncateDim + " must be the card's output dimension " + dimension);
        require(paddingSide != null && PADDING_SIDES.contains(paddingSide), where,
                "padding_side must be one of " + PADDING_SIDES + ", got " + paddingSide);
        require(eosToken == null || !eosToken.isEmpty(), where, "eos_token must not be empty");
        require(inputs != null && !inputs.isEmpty() && INPUT_NAMES.containsAll(inputs) && inputs.get(0).equals("input_ids")
                        && inputs.size() == Set.copyOf(inputs).size(), where,
                "inputs must start with input_ids and name each of " + INPUT_NAMES + " at most once, got " + inputs);
        require(!pooling.equals("prefix_mean") || (prefixSeparator != null && !prefixSeparator.isEmpty()), where,
                "prefix_mean pooling needs a prefix_separator token");
        require(!kind.equals(LLM_RERANKER) || prompt != null, where, "an llm_reranker card needs a prompt");
        require(!kind.equals(LLM_RERANKER) || dimension == 2, where, "an llm_reranker's model returns 2 answer logits; dimension must be 2");
        require(!kind.equals(CROSS_ENCODER) || dimension == 1, where, "a cross_encoder's model returns 1 logit; dimension must be 1");
        inputs = List.copyOf(inputs);
    }

    /** The card as it was before issue 4: an encoder embedder, right-padded, fed all three encoder inputs. */
    public ModelCard(String id, Path directory, String artifact, String engine, String tokenizer, String pooling,
                     String queryTemplate, String passageTemplate, String instructionTemplate, int maxLength,
                     int dimension, boolean normalize) {
        this(id, directory, artifact, engine, tokenizer, pooling, queryTemplate, passageTemplate, instructionTemplate,
                maxLength, dimension, normalize, EMBEDDER, null, "right", null, ENCODER_INPUTS, null, null);
    }

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
            return ModelCard.fill(body, Map.of(QUERY, query, DOCUMENT, document, INSTRUCTION, chosen == null ? "" : chosen));
        }

        public boolean takesInstruction() {
            return body.contains(INSTRUCTION);
        }
    }

    public boolean isEmbedder() {
        return kind.equals(EMBEDDER);
    }

    public boolean leftPadding() {
        return paddingSide.equals("left");
    }

    /** Reads and validates a card; the card's directory is the folder of {@code cardJson}. */
    public static ModelCard load(Path cardJson) {
        Path directory = cardJson.toAbsolutePath().getParent();
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(cardJson));
        } catch (JsonProcessingException e) {
            throw PoiskException.badRequest("model card " + cardJson + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw PoiskException.badRequest("model card " + cardJson + " cannot be read: " + e);
        }
        if (root == null || !root.isObject()) {
            throw PoiskException.badRequest("model card " + cardJson + " must be a JSON object");
        }
        String where = "model card " + cardJson;
        String kind = root.has("kind") ? text(root, "kind", true, where) : EMBEDDER;
        Integer truncateDim = truncateDim(root, where);
        boolean appendEos = root.has("append_eos") && bool(root, "append_eos", where);
        return new ModelCard(
                text(root, "id", true, where),
                directory,
                text(root, "artifact", true, where),
                text(root, "engine", true, where),
                text(root, "tokenizer", true, where),
                text(root, "pooling", true, where),
                text(root, "query_template", true, where),
                text(root, "passage_template", true, where),
                text(root, "instruction_template", false, where),
                number(root, "max_length", where),
                truncateDim == null ? number(root, "dimension", where) : truncateDim,
                !root.has("normalize") || bool(root, "normalize", where),
                kind,
                truncateDim,
                root.has("padding_side") ? text(root, "padding_side", true, where) : "right",
                appendEos ? text(root, "eos_token", true, where) : null,
                root.has("inputs") ? strings(root, "inputs", where) : ModelCard.ENCODER_INPUTS,
                root.has("prefix_separator") ? text(root, "prefix_separator", true, where) : null,
                prompt(root.get("prompt"), where));
    }

    private static Integer truncateDim(JsonNode root, String where) {
        if (!root.has("truncate_dim") || root.get("truncate_dim").isNull()) return null;
        int truncate = number(root, "truncate_dim", where);
        int full = number(root, "dimension", where);
        require(truncate > 0 && truncate <= full, where, "truncate_dim must be between 1 and dimension " + full + ", got " + truncate);
        return truncate;
    }

    private static RerankPrompt prompt(JsonNode node, String where) {
        if (node == null || node.isNull()) return null;
        require(node.isObject(), where, "'prompt' must be an object with prefix, body, suffix, default_instruction, answer_tokens");
        try {
            return new RerankPrompt(text(node, "prefix", false, where), text(node, "body", true, where),
                    text(node, "suffix", false, where), text(node, "default_instruction", false, where),
                    strings(node, "answer_tokens", where));
        } catch (PoiskException e) {
            throw PoiskException.badRequest(where + ": " + e.getMessage());
        }
    }

    private static List<String> strings(JsonNode root, String key, String where) {
        JsonNode node = root.get(key);
        require(node != null && node.isArray(), where, "'" + key + "' must be an array of strings, got " + node);
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            require(item.isTextual(), where, "'" + key + "' must be an array of strings, got " + node);
            out.add(item.asText());
        }
        return out;
    }

    public Path artifactPath() {
        return directory.resolve(artifact);
    }

    public Path tokenizerPath() {
        return directory.resolve(tokenizer);
    }

    /**
     * The text the model sees: for a query with an instruction (and a card that takes instructions)
     * the instruction template first, then the role's template; e.g. e5 turns "capital of France"
     * into "query: capital of France". Instructions on passages, or on cards without an instruction
     * template, are ignored: such models were not trained with them.
     */
    public String render(String text, EmbeddingRole role, String instruction) {
        Objects.requireNonNull(text, "text");
        String body = text;
        if (role == EmbeddingRole.QUERY && instructionTemplate != null && instruction != null && !instruction.isBlank()) {
            body = substitute(instructionTemplate, body, instruction);
        }
        return substitute(role == EmbeddingRole.QUERY ? queryTemplate : passageTemplate, body, null);
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

    /** Replaces placeholders in one pass, so braces inside the user's text are never expanded. */
    private static String substitute(String template, String text, String instruction) {
        StringBuilder out = new StringBuilder(template.length() + text.length() + 16);
        int i = 0;
        while (i < template.length()) {
            if (template.startsWith(TEXT, i)) {
                out.append(text);
                i += TEXT.length();
            } else if (instruction != null && template.startsWith(INSTRUCTION, i)) {
                out.append(instruction);
                i += INSTRUCTION.length();
            } else {
                out.append(template.charAt(i++));
            }
        }
        return out.toString();
    }

    private static void require(boolean ok, String where, String problem) {
        if (!ok) throw PoiskException.badRequest(where + ": " + problem);
    }

    private static void requireFile(Path directory, String name, String field, String where) {
        require(name != null && !name.isBlank(), where, field + " is required (a file name beside card.json)");
        Path file = directory.resolve(name).normalize();
        require(file.startsWith(directory.normalize()), where, field + " must lie inside the card's folder, got " + name);
        require(Files.isRegularFile(file), where, field + " file " + file + " does not exist");
    }

    private static String text(JsonNode root, String key, boolean required, String where) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            require(!required, where, "'" + key + "' is required");
            return null;
        }
        require(node.isTextual(), where, "'" + key + "' must be a string, got " + node);
        return node.asText();
    }

    private static int number(JsonNode root, String key, String where) {
        JsonNode node = root.get(key);
        require(node != null && node.canConvertToInt() && node.isIntegralNumber(), where, "'" + key + "' must be an integer, got " + node);
        return node.intValue();
    }

    private static boolean bool(JsonNode root, String key, String where) {
        JsonNode node = root.get(key);
        require(node.isBoolean(), where, "'" + key + "' must be true or false, got " + node);
        return node.booleanValue();
    }
}
