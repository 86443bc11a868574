package io.poisk.index;

import java.util.Objects;

/**
 * One embedded passage of a document: its vector and the characters [start, end) of the document's text it
 * covers. {@link #WHOLE_END} as the end means "to the end of the text": a document embedded as one vector
 * (every document written before passages existed) covers its whole text, whatever its length.
 */
public record PassageVector(float[] vector, int start, int end) {
    public static final int WHOLE_END = -1;

    public PassageVector {
        Objects.requireNonNull(vector, "vector");
        if (start < 0 || (end != WHOLE_END && end < start)) throw new IllegalArgumentException("bad passage [" + start + ", " + end + ")");
    }

    /** A single vector for the whole text. */
    public static PassageVector whole(float[] vector) {
        return new PassageVector(vector, 0, WHOLE_END);
    }

    public boolean isWhole() {
        return start == 0 && end == WHOLE_END;
    }

    /** The character range in a text of {@code length} characters (the whole-text marker resolved, clamped to it). */
    public io.poisk.core.Passage in(int length) {
        int e = end == WHOLE_END ? length : Math.min(end, length);
        return new io.poisk.core.Passage(Math.min(start, e), e);
    }

    PassageVector withVector(float[] v) {
        return new PassageVector(v, start, end);
    }
}
