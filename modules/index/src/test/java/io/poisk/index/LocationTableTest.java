package io.poisk.index;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The location table against a plain hash map driven by the same random puts, moves and removes, over segments
 * that give the ids back as disk segments do (decoding a fresh string each time), with colliding hashes.
 */
class LocationTableTest {

    /** A segment that only knows its ids: a fresh string per call, as a memory-mapped ids file gives them. */
    private static final class IdsOnly implements Segment {
        private final String name;
        private final Map<Integer, String> ids = new HashMap<>();
        private int next;

        IdsOnly(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public float[] vectorAt(int ordinal) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.Iterator<String> idsAfter(String after) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean markDeleted(int ordinal) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isDeleted(int ordinal) {
            return false;
        }

        @Override
        public int liveCount() {
            return next;
        }

        @Override
        public List<ScoredId> search(io.github.jbellis.jvector.vector.types.VectorFloat<?> query, int k, int beam,
                                     org.apache.lucene.util.FixedBitSet allowed, int allowedCount) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LexicalView lexicalView() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }

        int add(String id) {
            ids.put(next, id);
            return next++;
        }

        @Override
        public String idAt(int ordinal) {
            return new String(ids.get(ordinal).toCharArray());
        }

        @Override
        public int size() {
            return next;
        }
    }

    @Test
    void agreesWithAHashMapThroughPutsMovesAndRemoves() {
        Random r = new Random(14);
        LocationTable table = new LocationTable();
        Map<String, Location> expected = new HashMap<>();
        List<IdsOnly> segments = List.of(new IdsOnly("a"), new IdsOnly("b"), new IdsOnly("c"));
        // "Aa" and "BB" have the same String hash: ids built from them collide in every bit.
        String[] parts = {"Aa", "BB"};
        for (int step = 0; step < 60_000; step++) {
            StringBuilder id = new StringBuilder();
            for (int i = 0; i < 7; i++) id.append(parts[r.nextInt(2)]);
            String key = r.nextInt(4) == 0 ? id.toString() : "doc-" + r.nextInt(5_000);
            if (r.nextInt(5) == 0) {
                assertThat(table.remove(key)).isEqualTo(expected.remove(key));
            } else {
                IdsOnly s = segments.get(r.nextInt(segments.size()));
                int ordinal = s.add(key);
                Location entry = new Location(s, ordinal);
                assertThat(table.put(key, s, ordinal)).isEqualTo(expected.put(key, entry));
            }
            if (step % 997 == 0) {
                String probe = r.nextBoolean() ? "doc-" + r.nextInt(5_000) : id.toString();
                assertThat(table.get(probe)).isEqualTo(expected.get(probe));
            }
        }
        assertThat(table.size()).isEqualTo(expected.size());
        for (var e : expected.entrySet()) assertThat(table.get(e.getKey())).isEqualTo(e.getValue());
        Set<String> listed = new HashSet<>();
        table.forEachId(id -> assertThat(listed.add(id)).as("listed once: " + id).isTrue());
        assertThat(listed).isEqualTo(expected.keySet());
        assertThat(table.get("never-put")).isNull();
    }

    @Test
    void aSegmentNumberIsReusedOnlyOnceItsLastDocumentMovedAway() {
        LocationTable table = new LocationTable();
        IdsOnly old = new IdsOnly("old");
        for (int i = 0; i < 100; i++) table.put("d" + i, old, old.add("d" + i));
        // As a merge does: every document moves to the new segment; the old one is then closed and forgotten.
        IdsOnly merged = new IdsOnly("merged");
        for (int i = 0; i < 100; i++) table.put("d" + i, merged, merged.add("d" + i));
        IdsOnly later = new IdsOnly("later"); // may take the old segment's number
        table.put("e", later, later.add("e"));
        for (int i = 0; i < 100; i++) assertThat(table.get("d" + i).segment()).isSameAs(merged);
        assertThat(table.get("e").segment()).isSameAs(later);
        // A document re-pointed within its own segment keeps the segment's number alive.
        table.put("e", later, later.add("e"));
        assertThat(table.get("e")).isEqualTo(new Location(later, 1));
    }
}
