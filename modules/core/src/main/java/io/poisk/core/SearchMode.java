package io.poisk.core;

import java.util.Locale;

/** How a query retrieves: dense vectors, lexical postings, or both fused. */
public enum SearchMode {
    DENSE, LEXICAL, HYBRID;

    public static SearchMode parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PoiskException(ErrorCode.INVALID_QUERY,
                    "unknown mode '" + s + "': accepted are dense, lexical, hybrid");
        }
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
