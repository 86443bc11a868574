package io.poisk.models;

import io.poisk.core.PoiskException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What every card has, whatever its kind: where the weights and tokenizer lie, which engine runs them,
 * how long a sequence may be, which inputs the traced model takes, which side batches pad on, and the
 * templates around the user's text.
 *
 * @param directory the folder holding card.json, the artifact and the tokenizer
 * @param inputs the traced model's inputs, in order: input_ids, attention_mask and optionally token_type_ids
 */
public record CardBase(String id, Path directory, String artifact, ModelEngine engine, String tokenizer,
                       int maxLength, List<String> inputs, PaddingSide paddingSide, InputTemplates templates) {
    public static final Set<String> INPUT_NAMES = Set.of("input_ids", "attention_mask", "token_type_ids");
    /** What cards written before decoders were supported feed: all three encoder inputs. */
    public static final List<String> ENCODER_INPUTS = List.of("input_ids", "attention_mask", "token_type_ids");

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Validates every field; a bad one is a {@code BAD_REQUEST} that names the card and the field. */
    public CardBase {
        String where = where(id, directory);
        require(id != null && ID.matcher(id).matches(), where, "id must match " + ID.pattern() + ", got " + id);
        require(directory != null, where, "directory is required");
        require(engine != null, where, "engine is required");
        requireFile(directory, artifact, "artifact", where);
        requireFile(directory, tokenizer, "tokenizer", where);
        require(artifact.endsWith(engine.extension()), where,
                "engine '" + engine + "' needs a " + engine.extension() + " artifact, got " + artifact);
        require(maxLength > 0, where, "max_length must be a positive number of tokens, got " + maxLength);
        require(inputs != null && !inputs.isEmpty() && INPUT_NAMES.containsAll(inputs) && inputs.get(0).equals("input_ids")
                        && inputs.size() == Set.copyOf(inputs).size(), where,
                "inputs must start with input_ids and name each of " + INPUT_NAMES + " at most once, got " + inputs);
        require(paddingSide != null, where, "padding_side is required");
        require(templates != null, where, "templates are required");
        inputs = List.copyOf(inputs);
    }

    /** The head of every message about this card: "model card 'id' in /models/id". */
    public String where() {
        return where(id, directory);
    }

    /** A {@code BAD_REQUEST} naming this card when {@code ok} is false; for the kind records' own checks. */
    void require(boolean ok, String problem) {
        require(ok, where(), problem);
    }

    public Path artifactPath() {
        return directory.resolve(artifact);
    }

    public Path tokenizerPath() {
        return directory.resolve(tokenizer);
    }

    public boolean leftPadding() {
        return paddingSide == PaddingSide.LEFT;
    }

    private static String where(String id, Path directory) {
        return "model card " + (id == null ? "" : "'" + id + "' ") + "in " + directory;
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
}
