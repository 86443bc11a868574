package io.poisk.core;

import java.util.regex.Pattern;

/** The rule for collection names: {@code [a-z0-9][a-z0-9_-]{0,63}}. */
public final class CollectionName {
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private CollectionName() {
    }

    public static String validate(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new PoiskException(ErrorCode.INVALID_NAME, "invalid collection name '" + name
                    + "': names match [a-z0-9][a-z0-9_-]{0,63} (lower-case letters, digits, '_' and '-', 1-64 chars)");
        }
        return name;
    }
}
