package io.poisk.core;

/**
 * Where a hit's best passage lies in its document's text: characters [start, end). A document longer than
 * the model's window is embedded as several passages; dense search scores it by the best one.
 */
public record Passage(int start, int end) {
    public Passage {
        if (start < 0 || end < start) throw new IllegalArgumentException("bad passage [" + start + ", " + end + ")");
    }
}
