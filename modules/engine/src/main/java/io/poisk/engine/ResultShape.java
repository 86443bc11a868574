package io.poisk.engine;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.util.Set;

/**
 * What each hit of a page carries, so a search UI need not ship whole documents: the text or not, all
 * fields or the named ones, and a highlighted snippet of the text (the lexical side's match, in
 * {@code <mark>}, HTML-escaped) or none.
 *
 * @param returnText   whether hits carry their full text
 * @param fields       the fields hits carry; null for all of them, empty for none
 * @param snippetChars the snippet's size in characters of text; 0 for no snippet
 */
public record ResultShape(boolean returnText, Set<String> fields, int snippetChars) {
    public static final ResultShape FULL = new ResultShape(true, null, 0);
    public static final int DEFAULT_SNIPPET_CHARS = 200;
    public static final int MAX_SNIPPET_CHARS = 2000;

    public ResultShape {
        if (snippetChars < 0 || snippetChars > MAX_SNIPPET_CHARS) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "'highlight.max_chars' must be between 1 and " + MAX_SNIPPET_CHARS
                    + ", got " + snippetChars);
        }
        fields = fields == null ? null : Set.copyOf(fields);
    }

    /** Whether hits are returned as loaded, with nothing to compute or drop. */
    boolean full() {
        return returnText && fields == null && snippetChars == 0;
    }
}
