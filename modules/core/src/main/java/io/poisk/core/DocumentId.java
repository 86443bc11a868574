package io.poisk.core;

import java.nio.charset.StandardCharsets;

/**
 * The rule for document ids, the same on every transport: 1 to {@value #MAX_BYTES} UTF-8 bytes, not blank,
 * no control characters, no unpaired surrogates, and not {@code .} or {@code ..}. The bound keeps every id
 * addressable as {@code /collections/{name}/documents/{id}}: URL-encoded it is at most 3 × 512 characters,
 * well inside the HTTP server's 4096-character request line; dot segments would be read as path navigation.
 */
public final class DocumentId {
    public static final int MAX_BYTES = 512;
    public static final String RULE = "ids are 1-" + MAX_BYTES + " UTF-8 bytes without control characters, not '.' or '..'";

    private DocumentId() {
    }

    /** The id when it follows the rule, else an INVALID_DOCUMENT error that names {@code where}. */
    public static String validate(String id, String where) {
        String problem = problem(id);
        if (problem != null) {
            throw new PoiskException(ErrorCode.INVALID_DOCUMENT, where + ": 'id' " + problem + "; " + RULE);
        }
        return id;
    }

    /** Why the id breaks the rule, or null when it follows it. */
    public static String problem(String id) {
        if (id == null || id.isBlank()) return "must not be empty";
        if (id.equals(".") || id.equals("..")) return "may not be '" + id + "' (a path dot segment)";
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isISOControl(c)) return "contains the control character U+" + String.format("%04X", (int) c) + " at index " + i;
            if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "contains an unpaired surrogate at index " + i;
            }
        }
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) return "is " + bytes + " UTF-8 bytes long";
        return null;
    }
}
