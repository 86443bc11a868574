package io.poisk.index;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The small files of a segment folder besides the JVector graph: {@code ids.bin} (ordinal → document
 * id) and {@code tombstones-<gen>.bin} (deleted ordinals). Both end with a CRC32C of what precedes it.
 */
final class SegmentFiles {
    static final String GRAPH = "graph.jvector";
    static final String IDS = "ids.bin";
    private static final int IDS_MAGIC = 0x504f4944;   // "POID"
    private static final int TOMB_MAGIC = 0x504f5442;  // "POTB"

    private SegmentFiles() {
    }

    static void writeIds(Path file, String[] ids) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(IDS_MAGIC);
            out.writeInt(ids.length);
            for (String id : ids) {
                byte[] b = id.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        }
        writeWithCrc(file, bytes.toByteArray());
    }

    static String[] readIds(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(readVerified(file, IDS_MAGIC)))) {
            in.readInt();
            String[] ids = new String[in.readInt()];
            for (int i = 0; i < ids.length; i++) {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                ids[i] = new String(b, StandardCharsets.UTF_8);
            }
            return ids;
        }
    }

    static void writeTombstones(Path file, int[] ordinals) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * ordinals.length);
        b.putInt(TOMB_MAGIC).putInt(ordinals.length);
        for (int o : ordinals) b.putInt(o);
        writeWithCrc(file, b.array());
    }

    static int[] readTombstones(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(readVerified(file, TOMB_MAGIC));
        b.getInt();
        int[] out = new int[b.getInt()];
        for (int i = 0; i < out.length; i++) out[i] = b.getInt();
        return out;
    }

    private static void writeWithCrc(Path file, byte[] body) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(body);
        byte[] all = ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
        Files.write(file, all, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        DurableFiles.fsync(file);
    }

    private static byte[] readVerified(Path file, int magic) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < 12) throw new IOException(file + " is truncated");
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        int stored = ByteBuffer.wrap(all, all.length - 4, 4).getInt();
        if ((int) crc.getValue() != stored) throw new IOException(file + " fails its checksum");
        if (ByteBuffer.wrap(all).getInt() != magic) throw new IOException(file + " is not a segment file of the expected kind");
        byte[] body = new byte[all.length - 4];
        System.arraycopy(all, 0, body, 0, body.length);
        return body;
    }
}
