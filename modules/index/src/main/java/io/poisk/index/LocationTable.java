package io.poisk.index;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;

/**
 * Document id → where its vectors live now (a segment and the document's first ordinal there), in one {@code long}
 * per slot and without the id itself: the segment gives the id back ({@link Segment#idAt}), so the heap holds no
 * string per document. At the table's load of at most one half that is 16-32 bytes per document, where a hash map
 * of strings to location objects took about 150.
 *
 * <p>Open addressing with linear probing. A slot is 0 (empty), {@link #REMOVED}, or
 * {@code [0 | 15 bits of the id's hash | segment number + 1 (16 bits) | ordinal (32 bits)]}; the hash bits let a
 * probe skip most other ids without decoding them. Segments are numbered here while they hold a document, so a
 * segment number is free again once the swap that replaced its segment has moved or deleted all of them.
 *
 * <p>One writer at a time (the write path's apply lock); readers any time, under the read side of a lock that
 * each change takes briefly.
 */
final class LocationTable {
    private static final long EMPTY = 0;
    private static final long REMOVED = -1;
    private static final int MAX_SEGMENTS = 0xFFFE;
    private static final int MIN_CAPACITY = 16;

    private final StampedLock lock = new StampedLock();
    private Slots slots = new Slots(MIN_CAPACITY);
    private int size;
    private int removed;
    /** Segment by number, and how many documents each number holds; a number with none is free. */
    private Segment[] segments = new Segment[4];
    private int[] documents = new int[4];
    private final Map<Segment, Integer> numbers = new IdentityHashMap<>();

    int size() {
        long stamp = lock.readLock();
        try {
            return size;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    Location get(String id) {
        // Optimistic first: no write to shared memory. A change meanwhile may show a half-done state (even an
        // exception); validation then fails and the lookup runs again under the read lock.
        long stamp = lock.tryOptimisticRead();
        if (stamp != 0) {
            try {
                int at = find(slots, id);
                Location found = at < 0 ? null : location(slots.get(at));
                if (lock.validate(stamp)) return found;
            } catch (RuntimeException e) {
                if (lock.validate(stamp)) throw e;
            }
        }
        stamp = lock.readLock();
        try {
            int at = find(slots, id);
            return at < 0 ? null : location(slots.get(at));
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Points {@code id} at {@code ordinal} of {@code segment}; returns where it was, or null. */
    Location put(String id, Segment segment, int ordinal) {
        if (ordinal < 0) throw new IllegalArgumentException("ordinal " + ordinal);
        int number = numberOf(segment);
        long stamp = lock.writeLock();
        try {
            int hash = hash(id);
            long value = slot(hash, number, ordinal);
            int at = find(slots, id);
            documents[number]++; // before the release: the old place may be in the same segment
            if (at >= 0) {
                Location was = location(slots.get(at));
                release(slots.get(at));
                slots.set(at, value);
                return was;
            }
            insert(hash, value);
            size++;
        } finally {
            lock.unlockWrite(stamp);
        }
        if (2L * (size + removed) > slots.capacity()) rehash();
        return null;
    }

    /** Forgets {@code id}; returns where it was, or null. */
    Location remove(String id) {
        long stamp = lock.writeLock();
        try {
            int at = find(slots, id);
            if (at < 0) return null;
            Location was = location(slots.get(at));
            release(slots.get(at));
            slots.set(at, REMOVED);
            size--;
            removed++;
            return was;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Every id in the table, decoded from its segment, in no order; writers wait meanwhile. */
    void forEachId(Consumer<String> action) {
        long stamp = lock.readLock();
        try {
            for (int at = 0; at < slots.capacity(); at++) {
                long s = slots.get(at);
                if (s != EMPTY && s != REMOVED) action.accept(idOf(s));
            }
        } finally {
            lock.unlockRead(stamp);
        }
    }

    // ------------------------------------------------------------------ slots

    private static long slot(int hash, int number, int ordinal) {
        return ((long) (hash >>> 17) << 48) | ((long) (number + 1) << 32) | (ordinal & 0xFFFFFFFFL);
    }

    private static int hashBits(long slot) {
        return (int) (slot >>> 48) & 0x7FFF;
    }

    private static int numberBits(long slot) {
        return (int) (slot >>> 32 & 0xFFFF) - 1;
    }

    private static int ordinalBits(long slot) {
        return (int) slot;
    }

    /** The id's String hash, mixed (MurmurHash3's finaliser): its low bits pick the slot, its top 15 go into the slot. */
    private static int hash(String id) {
        int h = id.hashCode();
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    private static int home(int hash, int length) {
        return hash & (length - 1);
    }

    private Location location(long slot) {
        return new Location(segments[numberBits(slot)], ordinalBits(slot));
    }

    private String idOf(long slot) {
        return segments[numberBits(slot)].idAt(ordinalBits(slot));
    }

    /** The slot holding {@code id}, or -1. */
    private int find(Slots table, String id) {
        int hash = hash(id);
        int bits = hash >>> 17;
        int mask = table.capacity() - 1;
        for (int at = home(hash, table.capacity()); ; at = (at + 1) & mask) {
            long s = table.get(at);
            if (s == EMPTY) return -1;
            if (s != REMOVED && hashBits(s) == bits && segments[numberBits(s)].hasId(ordinalBits(s), id)) return at;
        }
    }

    /** Into the first empty or removed slot of the value's probe sequence (the id is known to be absent). */
    private void insert(int hash, long value) {
        int mask = slots.capacity() - 1;
        for (int at = home(hash, slots.capacity()); ; at = (at + 1) & mask) {
            long s = slots.get(at);
            if (s == EMPTY || s == REMOVED) {
                if (s == REMOVED) removed--;
                slots.set(at, value);
                return;
            }
        }
    }

    /**
     * Grows (or only clears removed slots) when more than half the slots are taken. The new table is built from
     * the ids, decoded from their segments, while readers still use the old one; only the swap locks them out.
     * Runs on the single writer, so the old table does not change meanwhile.
     */
    private void rehash() {
        Slots old = slots;
        int capacity = MIN_CAPACITY;
        while (capacity <= 2L * size) capacity <<= 1; // a load of 1/4 to 1/2 until the next rehash
        Slots next = new Slots(capacity);
        int mask = capacity - 1;
        for (int i = 0; i < old.capacity(); i++) {
            long s = old.get(i);
            if (s == EMPTY || s == REMOVED) continue;
            int at = home(hash(idOf(s)), capacity);
            while (next.get(at) != EMPTY) at = (at + 1) & mask;
            next.set(at, s);
        }
        long stamp = lock.writeLock();
        try {
            slots = next;
            removed = 0;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * A power-of-two number of slots in pages of at most 32,768 (256 KB): one array of millions would be a humongous
     * object to G1, allocated in whole regions, whose unused tail (up to a region) stays taken while it lives.
     */
    private static final class Slots {
        private static final int PAGE_BITS = 15;
        private static final int PAGE_MASK = (1 << PAGE_BITS) - 1;
        private final long[][] pages;
        private final int capacity;

        Slots(int capacity) {
            this.capacity = capacity;
            int pageLength = Math.min(capacity, 1 << PAGE_BITS);
            pages = new long[capacity / pageLength][pageLength];
        }

        int capacity() {
            return capacity;
        }

        long get(int at) {
            return pages[at >>> PAGE_BITS][at & PAGE_MASK];
        }

        void set(int at, long value) {
            pages[at >>> PAGE_BITS][at & PAGE_MASK] = value;
        }
    }

    // ---------------------------------------------------------------- segments

    /** The segment's number, given one if it has none (writer only). */
    private int numberOf(Segment segment) {
        Integer n = numbers.get(segment);
        if (n != null) return n;
        for (int i = 0; i < segments.length; i++) {
            if (segments[i] == null) return assign(segment, i);
        }
        if (segments.length >= MAX_SEGMENTS) throw new IllegalStateException("more than " + MAX_SEGMENTS + " segments hold documents");
        int i = segments.length;
        long stamp = lock.writeLock();
        try {
            segments = java.util.Arrays.copyOf(segments, Math.min(MAX_SEGMENTS, 2 * segments.length));
            documents = java.util.Arrays.copyOf(documents, segments.length);
        } finally {
            lock.unlockWrite(stamp);
        }
        return assign(segment, i);
    }

    private int assign(Segment segment, int number) {
        long stamp = lock.writeLock();
        try {
            segments[number] = segment;
            documents[number] = 0;
        } finally {
            lock.unlockWrite(stamp);
        }
        numbers.put(segment, number);
        return number;
    }

    /** A slot's document leaves its segment; the segment's number is freed with its last one (write lock held). */
    private void release(long slot) {
        int number = numberBits(slot);
        if (--documents[number] == 0) {
            numbers.remove(segments[number]);
            segments[number] = null;
        }
    }
}
