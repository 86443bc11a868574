package io.poisk.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.PoiskException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads a {@code card.json} into the card type of its kind: the one place that knows the file's keys
 * (snake_case: id, artifact, engine, tokenizer, pooling, query_template, passage_template,
 * instruction_template, max_length, dimension, normalize; since issue 4 also kind, truncate_dim,
 * padding_side, append_eos, eos_token, inputs, prefix_separator, prompt). Cards written before issue 4
 * load unchanged: every newer key has a default. Keys that mean nothing for a card's kind (pooling on a
 * reranker, prompt on an embedder) are ignored, so the cards export.py writes keep loading.
 */
final class ModelCardReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelCardReader() {}

    static ModelCard read(Path cardJson) {
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
        Card card = new Card(root, "model card " + cardJson);
        ModelKind kind = card.choice("kind", ModelKind.class, ModelKind.EMBEDDER);
        CardBase base = base(card, cardJson.toAbsolutePath().getParent());
        return switch (kind) {
            case EMBEDDER -> embedder(card, base);
            case CROSS_ENCODER -> {
                card.requireDimension(1, "a cross_encoder's model returns 1 logit; dimension must be 1");
                yield new CrossEncoderCard(base);
            }
            case LLM_RERANKER -> {
                card.requireDimension(2, "an llm_reranker's model returns 2 answer logits; dimension must be 2");
                // Pads with eos_token only when append_eos is set, as before typed cards (pads are masked either way).
                yield new LlmRerankerCard(base, prompt(card), card.appendedEos());
            }
        };
    }

    private static CardBase base(Card card, Path directory) {
        // Read in the file's usual key order, so a card missing several keys is told of the first.
        String id = card.text("id", true);
        String artifact = card.text("artifact", true);
        ModelEngine engine = card.choice("engine", ModelEngine.class, null);
        String tokenizer = card.text("tokenizer", true);
        InputTemplates templates = card.within(() -> new InputTemplates(card.text("query_template", true),
                card.text("passage_template", true), card.text("instruction_template", false)));
        return new CardBase(id, directory, artifact, engine, tokenizer, card.number("max_length"),
                card.has("inputs") ? card.strings("inputs") : CardBase.ENCODER_INPUTS,
                card.choice("padding_side", PaddingSide.class, PaddingSide.RIGHT),
                templates);
    }

    private static EmbedderCard embedder(Card card, CardBase base) {
        Pooling pooling = card.choice("pooling", Pooling.class, null);
        Integer truncateDim = card.truncateDim();
        return new EmbedderCard(base, pooling,
                truncateDim == null ? card.number("dimension") : truncateDim,
                truncateDim,
                !card.has("normalize") || card.bool("normalize"),
                pooling == Pooling.PREFIX_MEAN ? card.text("prefix_separator", false) : null,
                card.appendedEos());
    }

    private static RerankPrompt prompt(Card card) {
        JsonNode node = card.root.get("prompt");
        card.require(node != null && !node.isNull(), "an llm_reranker card needs a prompt");
        card.require(node.isObject(), "'prompt' must be an object with prefix, body, suffix, default_instruction, answer_tokens");
        Card prompt = new Card(node, card.where);
        return card.within(() -> new RerankPrompt(prompt.text("prefix", false), prompt.text("body", true),
                prompt.text("suffix", false), prompt.text("default_instruction", false), prompt.strings("answer_tokens")));
    }

    /** One JSON object of a card and the typed reads of its keys, each failure naming the card and the key. */
    private record Card(JsonNode root, String where) {
        boolean has(String key) {
            return root.has(key);
        }

        void require(boolean ok, String problem) {
            if (!ok) throw PoiskException.badRequest(where + ": " + problem);
        }

        /** Runs a constructor whose messages name the key but not the card, and adds the card. */
        <T> T within(Supplier<T> build) {
            try {
                return build.get();
            } catch (PoiskException e) {
                if (e.getMessage().startsWith(where)) throw e;
                throw PoiskException.badRequest(where + ": " + e.getMessage());
            }
        }

        String text(String key, boolean required) {
            JsonNode node = root.get(key);
            if (node == null || node.isNull()) {
                require(!required, "'" + key + "' is required");
                return null;
            }
            require(node.isTextual(), "'" + key + "' must be a string, got " + node);
            return node.asText();
        }

        int number(String key) {
            JsonNode node = root.get(key);
            require(node != null && node.canConvertToInt() && node.isIntegralNumber(), "'" + key + "' must be an integer, got " + node);
            return node.intValue();
        }

        boolean bool(String key) {
            JsonNode node = root.get(key);
            require(node.isBoolean(), "'" + key + "' must be true or false, got " + node);
            return node.booleanValue();
        }

        List<String> strings(String key) {
            JsonNode node = root.get(key);
            require(node != null && node.isArray(), "'" + key + "' must be an array of strings, got " + node);
            List<String> out = new ArrayList<>();
            for (JsonNode item : node) {
                require(item.isTextual(), "'" + key + "' must be an array of strings, got " + node);
                out.add(item.asText());
            }
            return out;
        }

        /** The enum constant the card spells; {@code fallback} when the key is absent (null: the key is required). */
        <E extends Enum<E> & CardValue> E choice(String key, Class<E> type, E fallback) {
            if (fallback != null && !has(key)) return fallback;
            String name = text(key, true);
            for (E value : type.getEnumConstants()) {
                if (value.cardName().equals(name)) return value;
            }
            throw PoiskException.badRequest(where + ": " + key + " must be one of "
                    + Arrays.stream(type.getEnumConstants()).map(CardValue::cardName).toList() + ", got " + name);
        }

        Integer truncateDim() {
            if (!has("truncate_dim") || root.get("truncate_dim").isNull()) return null;
            int truncate = number("truncate_dim");
            int full = number("dimension");
            require(truncate > 0 && truncate <= full, "truncate_dim must be between 1 and dimension " + full + ", got " + truncate);
            return truncate;
        }

        /** eos_token when append_eos is true, else null: the one meaning the key has had since issue 4. */
        String appendedEos() {
            return has("append_eos") && bool("append_eos") ? text("eos_token", true) : null;
        }

        /** A reranker's dimension is fixed by its kind; an absent one is fine, a wrong one is a mistake to name. */
        void requireDimension(int expected, String problem) {
            if (has("dimension")) require(number("dimension") == expected, problem);
        }
    }
}
