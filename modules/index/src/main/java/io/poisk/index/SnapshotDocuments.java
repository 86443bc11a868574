package io.poisk.index;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code documents.bin} of a snapshot: every stored document at the snapshot's log position, as a plain
 * stream (the Chronicle Map file itself is sized up front, holds lock words and is not a portable format).
 * A restore rebuilds the document map from it. Layout: {@code int magic "PSSD"}, {@code int version}, then per
 * document {@code int id length, id (UTF-8), int length, bytes}, then {@code int -1, long count}. The
 * snapshot's manifest carries the file's CRC32C.
 */
final class SnapshotDocuments {
    static final String FILE = "documents.bin";
    private static final int MAGIC = 0x50535344; // "PSSD"

    private SnapshotDocuments() {
    }

    /** Writes every document of {@code store} as it was at its {@link DocumentStore#beginDump} to {@code file}; returns how many. */
    static long write(Path file, DocumentStore store) throws IOException {
        long[] count = {0};
        try (OutputStream raw = Files.newOutputStream(file);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FileFormat.SNAPSHOT_DOCUMENTS.current());
            store.dump((id, doc) -> {
                byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
                out.writeInt(idBytes.length);
                out.write(idBytes);
                out.writeInt(doc.length);
                out.write(doc);
                count[0]++;
            });
            out.writeInt(-1);
            out.writeLong(count[0]);
        }
        return count[0]; // made durable with the rest of the snapshot, after writes resume
    }

    /** Puts every document of {@code file} into {@code store}; returns how many. */
    static long read(Path file, DocumentStore store) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            if (in.readInt() != MAGIC) throw new IOException(file + " is not a snapshot documents file");
            FileFormat.SNAPSHOT_DOCUMENTS.check(file, in.readInt());
            long count = 0;
            while (true) {
                int idLength = in.readInt();
                if (idLength == -1) break;
                if (idLength < 1 || idLength > 4 * DocumentAdmission.MAX_ID_BYTES) throw new IOException(file + " is damaged: id length " + idLength);
                String id = new String(in.readNBytes(idLength), StandardCharsets.UTF_8);
                int length = in.readInt();
                if (length < 0) throw new IOException(file + " is damaged: document length " + length);
                byte[] doc = in.readNBytes(length);
                if (doc.length != length) throw new EOFException(file + " is truncated");
                store.put(id, doc);
                count++;
            }
            long said = in.readLong();
            if (said != count) throw new IOException(file + " is damaged: it says " + said + " documents and holds " + count);
            return count;
        } catch (EOFException e) {
            throw new IOException(file + " is truncated", e);
        }
    }
}
