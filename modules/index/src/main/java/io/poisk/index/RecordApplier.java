package io.poisk.index;

import io.poisk.core.DocumentCodec;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Applies durable log records to memory, in log order: the live segment, the document map and the location
 * table. Callers hold the write path's apply lock.
 */
final class RecordApplier {
    /** An appended record waiting to be applied; a delete learns there whether its document existed. */
    static final class Pending {
        final WalRecord record;
        boolean existed; // written and read under the apply lock

        Pending(WalRecord record) {
            this.record = record;
        }
    }

    private final DocumentStore documents;
    private final SegmentSet segments;

    RecordApplier(DocumentStore documents, SegmentSet segments) {
        this.documents = documents;
        this.segments = segments;
    }

    DocumentStore documents() {
        return documents;
    }

    /** A logged record the document map refused; applying it was undone, nothing of it is left in memory. */
    static final class Unapplicable extends RuntimeException {
        final int index;

        Unapplicable(int index, RuntimeException cause) {
            super("the document map refused it: " + cause.getMessage(), cause);
            this.index = index;
        }
    }

    /** Applies records in order to the location table, the document map and the live segment. Under applyLock. */
    void apply(List<Pending> batch) throws IOException {
        LiveSegment target = segments.live();
        int[] added = new int[16];
        int n = 0;
        try {
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                switch (p.record) {
                    case WalRecord.Upsert u -> {
                        // The steps that may refuse a record run first, so a refusal leaves nothing behind.
                        int ordinal = target.add(u.id(), u.passages(), DocumentCodec.decode(u.document()));
                        int count = u.passages().size();
                        if (n + count > added.length) added = Arrays.copyOf(added, Math.max(2 * added.length, n + count));
                        for (int j = 0; j < count; j++) added[n++] = ordinal + j; // into the graph either way; a refused one is tombstoned
                        try {
                            documents.put(u.id(), u.document());
                        } catch (IllegalArgumentException | IllegalStateException e) {
                            for (int j = 0; j < count; j++) target.markDeleted(ordinal + j);
                            throw new Unapplicable(i, e);
                        }
                        segments.locate(u.id(), target, ordinal); // tombstones the previous copy
                    }
                    case WalRecord.Delete d -> {
                        try {
                            documents.remove(d.id());
                        } catch (IllegalArgumentException | IllegalStateException e) {
                            throw new Unapplicable(i, e);
                        }
                        p.existed = segments.tombstone(d.id());
                    }
                }
            }
        } finally {
            target.insert(Arrays.copyOf(added, n));
        }
    }
}
