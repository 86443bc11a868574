package io.poisk.index;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which on-disk segments of a collection to merge next: a pure function of their sizes, so that the
 * policy is tested by a table and the maintenance thread only carries it out.
 *
 * <p>Two reasons to merge, in this order: more segments than {@code maxSegments} (every query visits
 * every segment, so their count is a per-query cost) and a segment whose tombstones reach
 * {@code expungeRatio} of it (deleted documents still cost graph visits and disk until rewritten).
 * One merge at a time: the caller asks again after each one, when the sizes have changed.
 */
record MergePolicy(int maxSegments, double expungeRatio) {

    /** What the policy needs to know of one segment. */
    record SegmentStats(String name, int documents, int deleted) {
        int live() {
            return documents - deleted;
        }
    }

    MergePolicy {
        if (maxSegments < 1) throw new IllegalArgumentException("maxSegments must be positive: " + maxSegments);
        if (!(expungeRatio > 0 && expungeRatio <= 1)) throw new IllegalArgumentException("expungeRatio must be in (0, 1]: " + expungeRatio);
    }

    /** Deleted documents reach this share of a segment before it is rewritten on its own. */
    static final double DEFAULT_EXPUNGE_RATIO = 0.3;

    static MergePolicy withMaxSegments(int maxSegments) {
        return new MergePolicy(maxSegments, DEFAULT_EXPUNGE_RATIO);
    }

    /** The names of the segments to merge into one, or an empty list when nothing is worth merging. */
    List<String> choose(List<SegmentStats> segments) {
        if (segments.size() > maxSegments) {
            // The smallest segments (by live documents), just enough of them to get back under the limit:
            // merging small ones costs least and removes as many segments as merging large ones.
            List<SegmentStats> bySize = new ArrayList<>(segments);
            bySize.sort(Comparator.comparingInt(SegmentStats::live).thenComparing(SegmentStats::name));
            int count = Math.max(2, segments.size() - maxSegments + 1);
            return bySize.subList(0, count).stream().map(SegmentStats::name).toList();
        }
        return segments.stream()
                .filter(s -> s.deleted() > 0 && s.deleted() >= expungeRatio * s.documents())
                .max(Comparator.comparingDouble((SegmentStats s) -> (double) s.deleted() / s.documents())
                        .thenComparing(SegmentStats::name, Comparator.reverseOrder()))
                .map(s -> List.of(s.name()))
                .orElse(List.of());
    }
}
