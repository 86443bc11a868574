package io.poisk.index;

import io.poisk.core.PoiskException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a collection embeds documents longer than its model's window. Enabled: the text is cut into windows of
 * {@code maxTokens} tokens (null: as many as the model's max_length leaves after its template and special
 * tokens), each overlapping the previous one by {@code overlapTokens}, and each window is a vector of its own.
 * Disabled: one vector per document from its first max_length tokens (what collections created before passages
 * existed do, since their segments hold one vector per document).
 */
public record PassageOptions(boolean enabled, Integer maxTokens, int overlapTokens) {
    public static final int MIN_TOKENS = 16;
    public static final int MAX_TOKENS = 8192;
    public static final int DEFAULT_OVERLAP = 64;
    /** New collections: passages of the model's whole window, overlapping by 64 tokens. */
    public static final PassageOptions DEFAULT = new PassageOptions(true, null, DEFAULT_OVERLAP);
    /** Collections whose options predate passages: truncation, as before. */
    public static final PassageOptions OFF = new PassageOptions(false, null, 0);

    public PassageOptions {
        if (maxTokens != null && (maxTokens < MIN_TOKENS || maxTokens > MAX_TOKENS)) {
            throw PoiskException.badRequest("'passages.max_tokens' must be an integer between " + MIN_TOKENS + " and "
                    + MAX_TOKENS + ", got " + maxTokens);
        }
        int limit = (maxTokens == null ? MIN_TOKENS * 32 : maxTokens) / 2;
        if (overlapTokens < 0 || overlapTokens > limit) {
            throw PoiskException.badRequest("'passages.overlap_tokens' must be an integer between 0 and half of max_tokens ("
                    + limit + "), got " + overlapTokens);
        }
    }

    /** The wire form {@code {"enabled":true,"max_tokens":480,"overlap_tokens":64}}; every part optional; null: not said. */
    static PassageOptions fromMap(Object value) {
        if (value == null) return null;
        if (!(value instanceof Map<?, ?> m)) {
            throw PoiskException.badRequest("'passages' must be an object {\"enabled\":true,\"max_tokens\":n,\"overlap_tokens\":n}");
        }
        for (Object key : m.keySet()) {
            if (!"enabled".equals(key) && !"max_tokens".equals(key) && !"overlap_tokens".equals(key)) {
                throw PoiskException.badRequest("unknown property 'passages." + key + "'; accepted: enabled, max_tokens, overlap_tokens");
            }
        }
        Object enabled = m.get("enabled");
        if (enabled != null && !(enabled instanceof Boolean)) throw PoiskException.badRequest("'passages.enabled' must be true or false");
        Object max = m.get("max_tokens");
        if (max != null && !(max instanceof Integer)) {
            throw PoiskException.badRequest("'passages.max_tokens' must be an integer between " + MIN_TOKENS + " and " + MAX_TOKENS);
        }
        Object overlap = m.get("overlap_tokens");
        if (overlap != null && !(overlap instanceof Integer)) throw PoiskException.badRequest("'passages.overlap_tokens' must be an integer");
        return new PassageOptions(enabled == null || (Boolean) enabled, (Integer) max,
                overlap == null ? DEFAULT_OVERLAP : (Integer) overlap);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", enabled);
        m.put("max_tokens", maxTokens);
        m.put("overlap_tokens", overlapTokens);
        return m;
    }
}
