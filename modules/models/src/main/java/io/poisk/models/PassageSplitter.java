package io.poisk.models;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a document's text into passages of at most a number of model tokens, each overlapping the previous
 * one, with the tokenizer of the embedding model: a text longer than the model's window is not cut short
 * but embedded as several vectors. Passages are character ranges of the text; together they cover every
 * character (the gaps between tokens included), so no text is lost. Thread-safe; owns an untruncated tokenizer.
 */
public final class PassageSplitter implements AutoCloseable {
    /** Kept below the computed window: a passage re-tokenised alone may take a token or two more at its edges. */
    static final int EDGE_MARGIN = 2;

    /** A passage: characters [start, end) of the text. */
    public record Span(int start, int end) {
    }

    private final HuggingFaceTokenizer tokenizer;
    private final int window;

    private PassageSplitter(HuggingFaceTokenizer tokenizer, int window) {
        this.tokenizer = tokenizer;
        this.window = window;
    }

    /**
     * A splitter for the card: its window is max_length less the tokens the passage template and the special
     * tokens (and an appended EOS) take, so a passage embeds whole.
     */
    static PassageSplitter forCard(EmbedderCard card) throws IOException {
        HuggingFaceTokenizer tokenizer = DjlModels.tokenizer(card, 0);
        try {
            int room = tokenizer.encode(card.render("", EmbeddingRole.PASSAGE, null), true, false).getIds().length
                    + (card.eosToken() == null ? 0 : 1);
            return new PassageSplitter(tokenizer, Math.max(1, card.maxLength() - room - EDGE_MARGIN));
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** The most text tokens a passage may take for the model to see all of it. */
    public int window() {
        return window;
    }

    /**
     * The passages of {@code text}: windows of at most {@code maxTokens} tokens (null or more than {@link #window()}:
     * the window), as few as that allows and of equal length, each starting {@code overlapTokens} tokens before the
     * previous one ended. One passage [0, length) when the text fits.
     */
    public List<Span> split(String text, Integer maxTokens, int overlapTokens) {
        int max = maxTokens == null ? window : Math.min(maxTokens, window);
        int overlap = Math.max(0, Math.min(overlapTokens, max / 2));
        CharSpan[] spans = tokenizer.encode(text, false, false).getCharTokenSpans();
        int[] starts = new int[spans.length], ends = new int[spans.length];
        int n = 0;
        CharOffsets offsets = new CharOffsets(text);
        for (CharSpan s : spans) {
            if (s == null) continue;
            starts[n] = offsets.toUtf16(s.getStart());
            ends[n] = offsets.toUtf16(s.getEnd());
            n++;
        }
        if (n <= max) return List.of(new Span(0, text.length()));
        // As few windows as max allows, all of one length: a short last fragment would be a vector of a few
        // words, whose best-passage score is noise.
        int count = Math.ceilDiv(n - overlap, max - overlap);
        int length = Math.ceilDiv(n + (count - 1) * overlap, count);
        List<Span> out = new ArrayList<>(count);
        int previousEnd = 0;
        for (int first = 0; ; first += length - overlap) {
            int last = Math.min(n, first + length) - 1;
            boolean final_ = last == n - 1;
            // From the previous end at the latest (no gap), to the end of the text for the last passage.
            int start = out.isEmpty() ? 0 : Math.min(starts[first], previousEnd);
            int end = final_ ? text.length() : Math.max(ends[last], start);
            out.add(new Span(start, end));
            previousEnd = end;
            if (final_) return out;
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /**
     * The tokenizer reports offsets in Unicode code points; Java strings index UTF-16 units. They differ only
     * after a character outside the Basic Multilingual Plane (emoji, rare CJK), so the mapping is built only then.
     */
    static final class CharOffsets {
        private final int[] utf16; // null: the text has no surrogate pairs

        CharOffsets(String text) {
            int cps = text.codePointCount(0, text.length());
            if (cps == text.length()) {
                utf16 = null;
                return;
            }
            utf16 = new int[cps + 1];
            int u = 0;
            for (int cp = 0; cp < cps; cp++) {
                utf16[cp] = u;
                u += Character.charCount(text.codePointAt(u));
            }
            utf16[cps] = u;
        }

        int toUtf16(int codePoint) {
            if (utf16 == null) return codePoint;
            return utf16[Math.min(Math.max(codePoint, 0), utf16.length - 1)];
        }
    }
}
