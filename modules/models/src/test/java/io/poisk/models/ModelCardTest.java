package io.poisk.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardTest {
    @TempDir Path dir;

    private static final String VALID = """
            {"id": "e5-test", "artifact": "model.onnx", "engine": "onnx", "tokenizer": "tokenizer.json",
             "pooling": "mean", "query_template": "query: {text}", "passage_template": "passage: {text}",
             "max_length": 512, "dimension": 384, "normalize": true}
            """;

    @BeforeEach
    void files() throws IOException {
        Files.writeString(dir.resolve("model.onnx"), "weights");
        Files.writeString(dir.resolve("model.pt"), "weights");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
    }

    private ModelCard write(String json) throws IOException {
        Path card = dir.resolve("card.json");
        Files.writeString(card, json);
        return ModelCard.load(card);
    }

    private EmbedderCard embedder(String json) throws IOException {
        return (EmbedderCard) write(json);
    }

    /** VALID turned into a reranker card of this kind, keeping the keys export.py writes for every kind. */
    private static String reranker(String kind, int dimension, String extra) {
        return VALID.replace("\"dimension\": 384", "\"dimension\": " + dimension)
                .replace("\"normalize\": true", "\"kind\": \"" + kind + "\"" + extra);
    }

    private void assertBad(String json, String messagePart) {
        assertThatThrownBy(() -> write(json))
                .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining(messagePart);
    }

    @Test
    void loadsEveryField() throws IOException {
        EmbedderCard card = embedder(VALID);
        assertThat(card.id()).isEqualTo("e5-test");
        assertThat(card.directory()).isEqualTo(dir.toAbsolutePath());
        assertThat(card.artifactPath()).isEqualTo(dir.toAbsolutePath().resolve("model.onnx"));
        assertThat(card.engine()).isEqualTo(ModelEngine.ONNX);
        assertThat(card.base().tokenizer()).isEqualTo("tokenizer.json");
        assertThat(card.pooling()).isEqualTo(Pooling.MEAN);
        assertThat(card.base().templates()).isEqualTo(new InputTemplates("query: {text}", "passage: {text}", null));
        assertThat(card.maxLength()).isEqualTo(512);
        assertThat(card.dimension()).isEqualTo(384);
        assertThat(card.normalize()).isTrue();
    }

    @Test
    void provisionedDefaultCardIsValid() {
        ModelCard card = ModelCard.load(Path.of(System.getProperty("poisk.models.dir"), "e5-small-v2", "card.json"));
        assertThat(card.id()).isEqualTo("e5-small-v2");
        assertThat(card).isInstanceOfSatisfying(EmbedderCard.class, e -> assertThat(e.dimension()).isEqualTo(384));
        assertThat(card.render("hi", EmbeddingRole.PASSAGE, null)).isEqualTo("passage: hi");
    }

    @Test
    void rejectsBadCardsWithTheFieldNamed() {
        assertBad("{not json", "not valid JSON");
        assertBad("[1]", "must be a JSON object");
        assertBad(VALID.replace("\"id\": \"e5-test\",", ""), "'id' is required");
        assertBad(VALID.replace("\"id\": \"e5-test\"", "\"id\": \"../evil\""), "id must match");
        assertBad(VALID.replace("\"engine\": \"onnx\"", "\"engine\": \"tensorflow\""), "engine must be one of");
        assertBad(VALID.replace("\"pooling\": \"mean\"", "\"pooling\": \"max\""), "pooling must be one of");
        assertBad(VALID.replace("\"engine\": \"onnx\"", "\"engine\": \"pytorch\""), "needs a .pt artifact");
        assertBad(VALID.replace("model.onnx", "missing.onnx"), "does not exist");
        assertBad(VALID.replace("model.onnx", "../model.onnx"), "inside the card's folder");
        assertBad(VALID.replace("query: {text}", "query: "), "query_template must contain {text}");
        assertBad(VALID.replace("passage: {text}", "passage"), "passage_template must contain {text}");
        assertBad(VALID.replace("\"max_length\": 512", "\"max_length\": 0"), "max_length must be a positive");
        assertBad(VALID.replace("\"dimension\": 384", "\"dimension\": \"384\""), "'dimension' must be an integer");
        assertBad(VALID.replace("\"normalize\": true", "\"normalize\": \"yes\""), "'normalize' must be true or false");
        assertBad(VALID.replace("\"normalize\": true", "\"normalize\": true, \"instruction_template\": \"{text}\""),
                "instruction_template must contain {text} and {instruction}");
    }

    @Test
    void appliesRoleTemplates() throws IOException {
        ModelCard card = write(VALID);
        assertThat(card.render("capital of France", EmbeddingRole.QUERY, null)).isEqualTo("query: capital of France");
        assertThat(card.render("Paris is…", EmbeddingRole.PASSAGE, null)).isEqualTo("passage: Paris is…");
        // no instruction template: the model was not trained with instructions, so they are left out
        assertThat(card.render("q", EmbeddingRole.QUERY, "only recent")).isEqualTo("query: q");
        // braces in user text are not placeholders
        assertThat(card.render("a {text} b {instruction}", EmbeddingRole.QUERY, null)).isEqualTo("query: a {text} b {instruction}");
    }

    @Test
    void appliesInstructionTemplateToQueriesOnlyThenTheRoleTemplate() throws IOException {
        ModelCard appended = write(VALID.replace("\"normalize\": true",
                "\"normalize\": true, \"instruction_template\": \"{text} {instruction}\""));
        assertThat(appended.render("q", EmbeddingRole.QUERY, "must mention dates")).isEqualTo("query: q must mention dates");
        assertThat(appended.render("q", EmbeddingRole.QUERY, " ")).isEqualTo("query: q");
        assertThat(appended.render("d", EmbeddingRole.PASSAGE, "must mention dates")).isEqualTo("passage: d");

        ModelCard qwen = write(VALID.replace("query: {text}", "{text}").replace("\"normalize\": true",
                "\"normalize\": true, \"instruction_template\": \"Instruct: {instruction}\\nQuery: {text}\""));
        assertThat(qwen.render("what is {x}?", EmbeddingRole.QUERY, "Find answers"))
                .isEqualTo("Instruct: Find answers\nQuery: what is {x}?");
    }

    @Test
    void normalizeDefaultsToTrue() throws IOException {
        assertThat(embedder(VALID.replace(", \"normalize\": true", "")).normalize()).isTrue();
        assertThat(embedder(VALID.replace("\"normalize\": true", "\"normalize\": false")).normalize()).isFalse();
    }

    @Test
    void oldCardsGetTheEncoderDefaults() throws IOException {
        EmbedderCard card = embedder(VALID);
        assertThat(card.kind()).isEqualTo(ModelKind.EMBEDDER);
        assertThat(card.base().paddingSide()).isEqualTo(PaddingSide.RIGHT);
        assertThat(card.inputs()).containsExactly("input_ids", "attention_mask", "token_type_ids");
        assertThat(card.truncateDim()).isNull();
        assertThat(card.eosToken()).isNull();
        assertThat(card.prefixSeparator()).isNull();
    }

    @Test
    void readsTheDecoderAndRerankerKeys() throws IOException {
        EmbedderCard qwen = embedder(VALID.replace("\"normalize\": true", "\"normalize\": true, \"truncate_dim\": 128, \"padding_side\": \"left\","
                + " \"append_eos\": true, \"eos_token\": \"<|endoftext|>\", \"inputs\": [\"input_ids\", \"attention_mask\"]"));
        assertThat(qwen.dimension()).isEqualTo(128);
        assertThat(qwen.truncateDim()).isEqualTo(128);
        assertThat(qwen.leftPadding()).isTrue();
        assertThat(qwen.eosToken()).isEqualTo("<|endoftext|>");
        assertThat(qwen.inputs()).containsExactly("input_ids", "attention_mask");

        LlmRerankerCard reranker = (LlmRerankerCard) write(reranker("llm_reranker", 2,
                ", \"prompt\": {\"prefix\": \"P\", \"body\": \"<I>{instruction} <Q>{query} <D>{document}\","
                        + " \"suffix\": \"S\", \"default_instruction\": \"web search\", \"answer_tokens\": [\"yes\", \"no\"]}"));
        assertThat(reranker.prompt().answerTokens()).containsExactly("yes", "no");
        assertThat(reranker.outputs()).isEqualTo(2);
        assertThat(reranker.prompt().renderBody("q {document}", "d", null)).isEqualTo("<I>web search <Q>q {document} <D>d");
        assertThat(reranker.prompt().renderBody("q", "d", "mine")).isEqualTo("<I>mine <Q>q <D>d");
    }

    @Test
    void rejectsBadNewKeys() {
        assertBad(VALID.replace("\"normalize\": true", "\"kind\": \"ranker\""), "kind must be one of");
        assertBad(VALID.replace("\"normalize\": true", "\"truncate_dim\": 500"), "truncate_dim must be between 1 and dimension 384");
        assertBad(VALID.replace("\"normalize\": true", "\"padding_side\": \"middle\""), "padding_side must be one of");
        assertBad(VALID.replace("\"normalize\": true", "\"inputs\": [\"attention_mask\"]"), "inputs must start with input_ids");
        assertBad(VALID.replace("\"normalize\": true", "\"append_eos\": true"), "'eos_token' is required");
        assertBad(VALID.replace("\"pooling\": \"mean\"", "\"pooling\": \"prefix_mean\""), "needs a prefix_separator");
        assertBad(VALID.replace("\"dimension\": 384", "\"dimension\": 2").replace("\"normalize\": true", "\"kind\": \"llm_reranker\""),
                "needs a prompt");
        assertBad(VALID.replace("\"dimension\": 384", "\"dimension\": 2").replace("\"normalize\": true",
                "\"kind\": \"llm_reranker\", \"prompt\": {\"body\": \"{query}\", \"answer_tokens\": [\"yes\", \"no\"]}"), "must contain {query} and {document}");
    }

    @Test
    void eachKindLoadsAsItsOwnType() throws IOException {
        String prompt = ", \"prompt\": {\"body\": \"{query} {document}\", \"answer_tokens\": [\"yes\", \"no\"]}";
        String described = switch (write(VALID)) {
            case EmbedderCard e -> "embedder " + e.pooling();
            case CrossEncoderCard c -> "cross encoder";
            case LlmRerankerCard l -> "llm";
        };
        assertThat(described).isEqualTo("embedder mean");
        assertThat(write(reranker("cross_encoder", 1, ""))).isInstanceOfSatisfying(CrossEncoderCard.class, c -> {
            assertThat(c.kind()).isEqualTo(ModelKind.CROSS_ENCODER);
            assertThat(c.outputs()).isEqualTo(1);
            assertThat(c.render("q", EmbeddingRole.QUERY, null)).isEqualTo("query: q");
        });
        assertThat(write(reranker("llm_reranker", 2, prompt))).isInstanceOf(LlmRerankerCard.class);
    }

    @Test
    void keysThatMeanNothingForTheKindAreIgnored() throws IOException {
        // export.py writes pooling and normalize into reranker cards too; a reranker never pools
        assertThat(write(reranker("cross_encoder", 1, "").replace("\"pooling\": \"mean\"", "\"pooling\": \"max\"")))
                .isInstanceOf(CrossEncoderCard.class);
        assertThat(write(reranker("cross_encoder", 1, "").replace("\"pooling\": \"mean\", ", "")))
                .isInstanceOf(CrossEncoderCard.class);
        // a separator is kept only where it is used: prefix_mean pooling
        assertThat(embedder(VALID.replace("\"normalize\": true", "\"prefix_separator\": \":\"")).prefixSeparator()).isNull();
        assertThat(embedder(VALID.replace("\"pooling\": \"mean\"", "\"pooling\": \"prefix_mean\", \"prefix_separator\": \":\""))
                .prefixSeparator()).isEqualTo(":");
    }

    @Test
    void rerankerDimensionsAreFixedByTheirKind() {
        assertBad(reranker("cross_encoder", 2, ""), "a cross_encoder's model returns 1 logit");
        assertBad(reranker("llm_reranker", 1, ", \"prompt\": {\"body\": \"{query} {document}\", \"answer_tokens\": [\"yes\", \"no\"]}"),
                "returns 2 answer logits");
    }

    @Test
    void cardsBuiltInCodeAreCheckedToo() throws IOException {
        CardBase base = write(VALID).base();
        assertThatThrownBy(() -> new EmbedderCard(base, Pooling.MEAN, 384, null, true, ":", null))
                .isInstanceOf(PoiskException.class).hasMessageContaining("model card 'e5-test'")
                .hasMessageContaining("prefix_separator means something only for prefix_mean pooling");
        assertThatThrownBy(() -> new EmbedderCard(base, Pooling.MEAN, 0, null, true, null, null))
                .hasMessageContaining("dimension must be positive");
        assertThatThrownBy(() -> new LlmRerankerCard(base, null, null)).hasMessageContaining("needs a prompt");
    }
}
