package io.poisk.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The collection's current {@link Manifest} and how a new one is made durable: the changed
 * tombstones of every segment first, then the manifest naming them. Synchronised, because a flush
 * and a merge may each write one; each write names the segment set as it is at that moment, so a
 * later write never names segments an earlier swap removed.
 */
final class ManifestStore {
    private final Path dir;
    private volatile Manifest current;
    /**
     * Held while the manifest changes together with the files it stops naming (old tombstones, merged-away
     * segment folders, covered log files), and by a snapshot while it links them: it sees both sides agree.
     */
    private final ReentrantLock files = new ReentrantLock();

    /** Work done while the manifest and the files it names hold still. */
    interface FilesAction<T> {
        T run() throws IOException;
    }

    <T> T holdingFiles(FilesAction<T> action) throws IOException {
        files.lock();
        try {
            return action.run();
        } finally {
            files.unlock();
        }
    }

    private ManifestStore(Path dir, Manifest current) {
        this.dir = dir;
        this.current = current;
    }

    static ManifestStore read(Path dir) throws IOException {
        return new ManifestStore(dir, Manifest.read(dir));
    }

    Manifest current() {
        return current;
    }

    /** Every log record up to this LSN is reflected in the on-disk segments. */
    long coveredLsn() {
        return current.coveredLsn();
    }

    /** Reserves a fresh segment folder name (the reservation is persisted with the next manifest). */
    synchronized String nextSegmentName() {
        long id = current.nextSegmentId();
        current = new Manifest(current.generation(), current.coveredLsn(), id + 1, current.segments());
        return String.format("seg-%08d", id);
    }

    /**
     * Persists changed tombstones and writes a manifest naming the current on-disk segments and covering
     * {@code coveredLsn} (or the current coverage, if that is higher: coverage never goes back).
     */
    synchronized void write(SegmentSet set, long coveredLsn) throws IOException {
        files.lock();
        try {
            writeLocked(set, coveredLsn);
        } finally {
            files.unlock();
        }
    }

    private void writeLocked(SegmentSet set, long coveredLsn) throws IOException {
        List<DiskSegment> segments = set.disk();
        coveredLsn = Math.max(coveredLsn, current.coveredLsn());
        long gen = current.generation() + 1;
        List<Manifest.Entry> entries = new ArrayList<>();
        List<DiskSegment.PersistedTombstones> persisted = new ArrayList<>();
        for (DiskSegment s : segments) {
            DiskSegment.PersistedTombstones t = s.persistTombstones(gen);
            persisted.add(t);
            entries.add(new Manifest.Entry(s.name(), s.size(), t.file(), SegmentChecksums.isPresent(s.dir())));
        }
        Manifest m = new Manifest(gen, coveredLsn, current.nextSegmentId(), entries);
        m.write(dir);
        current = m;
        for (int i = 0; i < segments.size(); i++) segments.get(i).tombstonesPersisted(persisted.get(i).file(), persisted.get(i).count());
    }
}
