package io.poisk.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * A disk segment's ordinal → document id, read in place from its memory-mapped {@code ids.bin} (see
 * {@link SegmentFiles#writeIds}): the heap keeps one offset per ordinal, not a string per document. At a million
 * documents of 15-character ids that is 4 MB instead of about 60 MB; each {@link #get} decodes a fresh string.
 *
 * <p>The document heads in id order, which exports walk, are sorted on first use and kept (4 bytes per document).
 */
final class SegmentIds {
    private final Path file;
    /** The file's body: the id count, then a length-prefixed UTF-8 id per ordinal. */
    private final ByteBuffer body;
    /** Where each ordinal's length prefix starts in {@link #body}. */
    private final int[] offsets;
    private volatile int[] headsInIdOrder;

    private SegmentIds(Path file, ByteBuffer body, int[] offsets) {
        this.file = file;
        this.body = body;
        this.offsets = offsets;
    }

    /** Maps and verifies {@code file} (checksum, format, every length within the file). */
    static SegmentIds open(Path file) throws IOException {
        ByteBuffer body = SegmentFiles.mapIds(file);
        int count = body.remaining() >= 4 ? body.getInt(0) : -1;
        if (count < 0 || count > (body.remaining() - 4) / 4) throw new IOException(file + " says " + count + " ids: it is damaged");
        int[] offsets = new int[count];
        int at = 4;
        for (int i = 0; i < count; i++) {
            int length = at + 4 <= body.limit() ? body.getInt(at) : -1;
            if (length < 0 || length > body.limit() - at - 4) {
                throw new IOException(file + " is damaged: its ids do not match its length");
            }
            offsets[i] = at;
            at += 4 + length;
        }
        if (at != body.limit()) throw new IOException(file + " is damaged: its ids do not match its length");
        return new SegmentIds(file, body, offsets);
    }

    int size() {
        return offsets.length;
    }

    String get(int ordinal) {
        int at = offsets[ordinal];
        byte[] utf8 = new byte[body.getInt(at)];
        body.get(at + 4, utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** Whether the id at {@code ordinal} is {@code id}, compared in place for ASCII ids (no string is made). */
    boolean matches(int ordinal, String id) {
        int at = offsets[ordinal];
        int length = body.getInt(at);
        if (length != id.length()) return length >= id.length() && id.equals(get(ordinal)); // multi-byte UTF-8 is longer
        for (int i = 0; i < length; i++) {
            byte b = body.get(at + 4 + i);
            if (b < 0) return id.equals(get(ordinal)); // not ASCII: decode
            if (b != id.charAt(i)) return false;
        }
        return true;
    }

    /**
     * The ordinals {@code isHead} accepts (each document's first), sorted by their ids as {@link String#compareTo}
     * orders them; computed once, then shared (callers must not change it).
     */
    int[] headsInIdOrder(IntPredicate isHead) {
        int[] sorted = headsInIdOrder;
        if (sorted != null) return sorted;
        synchronized (this) {
            if (headsInIdOrder != null) return headsInIdOrder;
            int heads = 0;
            for (int o = 0; o < offsets.length; o++) if (isHead.test(o)) heads++;
            // Decoded once for the sort (a temporary copy), not once per comparison.
            Integer[] order = new Integer[heads];
            String[] ids = new String[offsets.length];
            int n = 0;
            for (int o = 0; o < offsets.length; o++) {
                if (!isHead.test(o)) continue;
                ids[o] = get(o);
                order[n++] = o;
            }
            Arrays.sort(order, (a, b) -> ids[a].compareTo(ids[b]));
            sorted = new int[heads];
            for (int i = 0; i < heads; i++) sorted[i] = order[i];
            headsInIdOrder = sorted;
            return sorted;
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
