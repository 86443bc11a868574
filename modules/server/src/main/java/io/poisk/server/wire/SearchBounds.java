package io.poisk.server.wire;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bounds a search to what the lexical index can run: one Lucene clause per query term and one per filter
 * condition, refused here with a 400 that names the limit instead of failing inside Lucene. Both counts
 * are upper bounds of what the index builds (an analyser never makes more terms than there are words).
 */
final class SearchBounds {
    /** Filter keys whose value is a list of sub-filters, or one sub-filter. */
    private static final Set<String> LISTS = Set.of("and", "or");
    private static final String NOT = "not";

    private SearchBounds() {
    }

    static void check(String query, Map<String, Object> filter, ApiLimits limits) {
        int terms = terms(query);
        if (terms > limits.maxQueryTerms()) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'query' has " + terms + " words; the limit is "
                    + limits.maxQueryTerms() + " (configured by " + ApiLimits.QUERY_TERMS + ")");
        }
        int clauses = clauses(filter);
        if (clauses > limits.maxFilterClauses()) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'filter' has " + clauses + " conditions; the limit is "
                    + limits.maxFilterClauses() + " (configured by " + ApiLimits.FILTER_CLAUSES + ")");
        }
    }

    /** Runs of letters and digits; each ideograph (Han, kana, Hangul) counts alone, as tokenisers split them. */
    static int terms(String text) {
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isIdeographic(cp) || isSyllabic(cp)) {
                count++;
                inWord = false;
            } else if (Character.isLetterOrDigit(cp)) {
                if (!inWord) count++;
                inWord = true;
            } else {
                inWord = false;
            }
        }
        return count;
    }

    private static boolean isSyllabic(int cp) {
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.HIRAGANA || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL;
    }

    /** Conditions of a filter in its JSON form: every leaf, and every {@code not} (it adds a match-all clause). */
    static int clauses(Object node) {
        if (node instanceof Map<?, ?> m) {
            int n = 0;
            for (var e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (LISTS.contains(key) && e.getValue() instanceof List<?> list) {
                    for (Object sub : list) n += clauses(sub);
                } else if (key.equals(NOT)) {
                    n += 1 + clauses(e.getValue());
                } else {
                    n++;
                }
            }
            return n;
        }
        return 1;
    }
}
