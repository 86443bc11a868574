package io.poisk.index;

import io.poisk.core.PoiskException;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The type of a declared document field: decides how it is indexed for filters and which filters it accepts. */
public enum FieldType {
    /** Exact strings: term and {@code in} filters. */
    KEYWORD,
    /** 64-bit integers: term, {@code in} and range filters. */
    LONG,
    /** Doubles: term, {@code in} and range filters. */
    DOUBLE,
    /** Instants: ISO-8601 dates or date-times (UTC when no offset), or epoch milliseconds; range filters. */
    DATE,
    /** true / false: term filters. */
    BOOLEAN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FieldType parse(String s) {
        for (FieldType t : values()) if (t.wireName().equals(s)) return t;
        throw PoiskException.badRequest("unknown field type '" + s + "': accepted are "
                + Arrays.stream(values()).map(FieldType::wireName).collect(Collectors.joining(", ")));
    }

    boolean supportsRange() {
        return this == LONG || this == DOUBLE || this == DATE;
    }
}
