package io.poisk.models;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Re-tokenises passages alone: each fits the window it was cut for (give or take the edge margin). */
final class HuggingFaceTokenizerCheck {
    private HuggingFaceTokenizerCheck() {
    }

    static void assertWindows(EmbedderCard card, String text, List<PassageSplitter.Span> spans, int max) {
        try (HuggingFaceTokenizer t = DjlModels.tokenizer(card, 0)) {
            for (PassageSplitter.Span s : spans) {
                int tokens = t.encode(text.substring(s.start(), s.end()), false, false).getIds().length;
                assertThat(tokens).as("tokens of passage %s", s).isLessThanOrEqualTo(max + PassageSplitter.EDGE_MARGIN);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
