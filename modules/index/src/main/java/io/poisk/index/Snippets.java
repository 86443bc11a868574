package io.poisk.index;

import org.apache.lucene.search.Query;
import org.apache.lucene.search.uhighlight.Passage;
import org.apache.lucene.search.uhighlight.PassageFormatter;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.BreakIterator;
import java.util.Locale;

/**
 * Highlighted snippets of hit texts: the best sentence for the query, analysed with the collection's own
 * analyzer (so a Russian query "реки" marks "река" in the text), cut to a window around its first match,
 * HTML-escaped, matches in {@code <mark>}, an ellipsis where the window cuts the sentence. Lucene's UnifiedHighlighter re-analyses the text (our postings keep
 * no offsets), so the whole text is read: a match in the last kilobyte of a megabyte document is found.
 */
final class Snippets {
    static final String MARK = "<mark>";
    static final String END_MARK = "</mark>";
    static final String ELLIPSIS = "…";

    private final LexicalFields fields;

    Snippets(LexicalFields fields) {
        this.fields = fields;
    }

    /**
     * The snippet of {@code text} for {@code query} in at most about {@code maxChars} characters of text (marks
     * and escapes not counted): the best-scoring sentence with a match, else the text's start. Null for an
     * empty text.
     */
    String snippet(String query, String text, boolean prefixLastTerm, int maxChars) {
        if (text == null || text.isEmpty()) return null;
        Query q = fields.textQuery(query, prefixLastTerm);
        if (q == null) return new Window(maxChars).format(text, 0, text.length(), new int[0], new int[0], 0);
        UnifiedHighlighter highlighter = UnifiedHighlighter.builderWithoutSearcher(fields.analyzer())
                .withMaxLength(Integer.MAX_VALUE - 1) // the default 10,000 characters would miss a late match
                .withBreakIterator(() -> BreakIterator.getSentenceInstance(Locale.ROOT))
                .withMaxNoHighlightPassages(1)
                .withFormatter(new Window(maxChars))
                .build();
        try {
            Object out = highlighter.highlightWithoutSearcher(fields.queryField(query), q, text, 1);
            return out == null ? new Window(maxChars).format(text, 0, text.length(), new int[0], new int[0], 0) : out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("highlighting failed", e); // analysis of a String does no I/O
        }
    }

    /** Formats one passage as a window of at most maxChars around its first match. */
    private static final class Window extends PassageFormatter {
        private final int maxChars;

        Window(int maxChars) {
            this.maxChars = maxChars;
        }

        @Override
        public Object format(Passage[] passages, String content) {
            if (passages.length == 0) return null;
            Passage p = passages[0];
            return format(content, p.getStartOffset(), p.getEndOffset(), p.getMatchStarts(), p.getMatchEnds(), p.getNumMatches());
        }

        String format(String content, int passageStart, int passageEnd, int[] starts, int[] ends, int matches) {
            int start = passageStart;
            int end = passageEnd;
            if (end - start > maxChars) {
                // a third of the window before the first match, the rest after it; then back to word boundaries
                int anchor = matches > 0 ? starts[0] : start;
                start = Math.max(start, anchor - maxChars / 3);
                end = Math.min(end, start + maxChars);
                start = wordStart(content, start, anchor);
                end = wordEnd(content, end, matches > 0 ? ends[0] : start);
                if (start < content.length() && Character.isLowSurrogate(content.charAt(start))) start++; // never half a character
                if (end > start && end < content.length() && Character.isLowSurrogate(content.charAt(end))) end--;
            }
            StringBuilder out = new StringBuilder(end - start + 32);
            int at = start;
            for (int i = 0; i < matches; i++) {
                int ms = Math.max(starts[i], at);
                int me = Math.min(ends[i], end);
                if (me <= ms) continue;
                escape(content, at, ms, out);
                out.append(MARK);
                escape(content, ms, me, out);
                out.append(END_MARK);
                at = me;
            }
            escape(content, at, end, out);
            // an ellipsis where the window cuts a sentence; a whole sentence needs none
            return (start > passageStart ? ELLIPSIS : "") + out.toString().strip() + (end < passageEnd ? ELLIPSIS : "");
        }

        /** Moves a cut forward to the next word start, unless that passes {@code limit}. */
        private static int wordStart(String s, int i, int limit) {
            if (i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1))) return i;
            int j = i;
            while (j < limit && Character.isLetterOrDigit(s.charAt(j))) j++;
            return j;
        }

        /** Moves a cut back to the previous word end, unless that passes {@code limit}. */
        private static int wordEnd(String s, int i, int limit) {
            if (i >= s.length() || !Character.isLetterOrDigit(s.charAt(i))) return i;
            int j = i;
            while (j > limit && Character.isLetterOrDigit(s.charAt(j - 1))) j--;
            return j;
        }

        private static void escape(String s, int from, int to, StringBuilder out) {
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '&' -> out.append("&amp;");
                    case '"' -> out.append("&quot;");
                    case '\'' -> out.append("&#39;");
                    default -> out.append(c);
                }
            }
        }
    }
}
