package io.poisk.models;

import java.util.List;

/**
 * Token ids of several texts padded to the longest one (on the right, or on the left for decoders that
 * read the last position), flattened row-major [batch, sequence], as the model's inputs want them.
 * Pad positions have mask 0 and are never pooled.
 */
public record TokenBatch(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int batchSize, int sequenceLength) {

    /** One text's tokens, as the tokenizer gave them (special tokens added, truncated, not padded). */
    public record Tokens(long[] ids, long[] typeIds) {
        public int length() {
            return ids.length;
        }
    }

    public static TokenBatch pad(List<Tokens> rows, long padId) {
        return pad(rows, padId, false);
    }

    /** @param left pad before the tokens, so every row's last token sits at the last position */
    public static TokenBatch pad(List<Tokens> rows, long padId, boolean left) {
        if (rows.isEmpty()) throw new IllegalArgumentException("an empty batch has nothing to pad");
        int sequence = 1;
        for (Tokens row : rows) sequence = Math.max(sequence, row.length());
        int batch = rows.size();
        long[] ids = new long[batch * sequence];
        long[] mask = new long[batch * sequence];
        long[] types = new long[batch * sequence];
        java.util.Arrays.fill(ids, padId);
        for (int r = 0; r < batch; r++) {
            Tokens row = rows.get(r);
            int base = r * sequence + (left ? sequence - row.length() : 0);
            System.arraycopy(row.ids(), 0, ids, base, row.length());
            System.arraycopy(row.typeIds(), 0, types, base, row.length());
            java.util.Arrays.fill(mask, base, base + row.length(), 1L);
        }
        return new TokenBatch(ids, mask, types, batch, sequence);
    }
}
