package io.poisk.engine;

import io.poisk.index.SnapshotManifest;

/**
 * A snapshot as callers see it: its id, the collection it was taken of, the write-ahead-log position it is
 * consistent at, its live documents, the bytes of its files (hard-linked segment files share their blocks with
 * the collection, so the disk it really takes is less) and when it was taken (ISO-8601, UTC).
 */
public record SnapshotInfo(String id, String collection, long lsn, long documents, long bytes, String created) {
    static SnapshotInfo of(SnapshotManifest m) {
        return new SnapshotInfo(m.id(), m.collection(), m.lsn(), m.documents(), m.bytes(), m.created());
    }
}
