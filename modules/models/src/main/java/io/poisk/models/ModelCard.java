package io.poisk.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.PoiskException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a model wants its input and how its output becomes a vector: the {@code card.json} that lies
 * beside the weights (snake_case keys: id, artifact, engine, tokenizer, pooling, query_template,
 * passage_template, instruction_template, max_length, dimension, normalize).
 *
 * @param directory the folder holding card.json, the artifact and the tokenizer
 * @param instructionTemplate null when the model takes no instructions
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
        boolean normalize) {

    public static final String TEXT = "{text}";
    public static final String INSTRUCTION = "{instruction}";
    public static final Set<String> ENGINES = Set.of("onnx", "pytorch");
    public static final Set<String> POOLINGS = Set.of("mean", "cls", "last_token");

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
                number(root, "dimension", where),
                !root.has("normalize") || bool(root, "normalize", where));
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
