package io.poisk.index;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The small files of a segment folder besides the JVector graph: {@code ids.bin} (ordinal → document
 * id) and {@code tombstones-<gen>.bin} (deleted ordinals). Both end with a CRC32C of what precedes it.
 *
 * <p>Format 2 (written now): a magic of its kind, the format version, then the body. Format 1 (read
 * only): the legacy magic and the body with no version; its magic tells the two apart.
 */
final class SegmentFiles {
    static final String GRAPH = "graph.jvector";
    static final String IDS = "ids.bin";
    /** Passage index and character range per ordinal; absent in a segment whose every document is one whole-text vector. */
    static final String PASSAGES = "passages.bin";
    private static final int IDS_MAGIC_V1 = 0x504f4944;   // "POID"
    private static final int TOMB_MAGIC_V1 = 0x504f5442;  // "POTB"
    private static final int IDS_MAGIC = 0x50534944;      // "PSID", followed by the format version
    private static final int TOMB_MAGIC = 0x50535442;     // "PSTB", followed by the format version
    private static final int PASSAGES_MAGIC = 0x50535041; // "PSPA", followed by the format version

    private SegmentFiles() {
    }

    /** Which magic numbers a file kind uses. */
    private record Kind(int legacyMagic, int magic, FileFormat format) {
    }

    private static final Kind IDS_KIND = new Kind(IDS_MAGIC_V1, IDS_MAGIC, FileFormat.IDS);
    private static final Kind TOMB_KIND = new Kind(TOMB_MAGIC_V1, TOMB_MAGIC, FileFormat.TOMBSTONES);
    /** Passages files were versioned from the start: no legacy magic. */
    private static final Kind PASSAGES_KIND = new Kind(PASSAGES_MAGIC, PASSAGES_MAGIC, FileFormat.PASSAGES);

    /** {passage index, start, end} per ordinal, flattened: ordinal o at [3o, 3o + 3). */
    static void writePassages(Path file, int[] spans) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12 + 4 * spans.length);
        b.putInt(PASSAGES_MAGIC).putInt(FileFormat.PASSAGES.current()).putInt(spans.length / 3);
        for (int v : spans) b.putInt(v);
        writeWithCrc(file, b.array());
    }

    /** The spans {@link #writePassages} wrote for {@code ordinals} ordinals; null when the file is absent. */
    static int[] readPassages(Path file, int ordinals) throws IOException {
        if (!Files.exists(file)) return null;
        ByteBuffer b = readVerified(file, PASSAGES_KIND);
        int count = b.getInt();
        if (count != ordinals || count * 3 != b.remaining() / 4) {
            throw new IOException(file + " says " + count + " passages for " + ordinals + " ordinals: it is damaged");
        }
        int[] out = new int[count * 3];
        for (int i = 0; i < out.length; i++) out[i] = b.getInt();
        return out;
    }

    static void writeIds(Path file, String[] ids) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(IDS_MAGIC);
            out.writeInt(FileFormat.IDS.current());
            out.writeInt(ids.length);
            for (String id : ids) {
                byte[] b = id.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        }
        writeWithCrc(file, bytes.toByteArray());
    }

    /** Every ordinal's id (tests and format conversions; a served segment reads them in place through {@link SegmentIds}). */
    static String[] readIds(Path file) throws IOException {
        SegmentIds ids = SegmentIds.open(file);
        String[] out = new String[ids.size()];
        for (int i = 0; i < out.length; i++) out[i] = ids.get(i);
        return out;
    }

    /** The ids file mapped into memory and verified, positioned at its body (the id count); see {@link SegmentIds}. */
    static ByteBuffer mapIds(Path file) throws IOException {
        return mapVerified(file, IDS_KIND);
    }

    static void writeTombstones(Path file, int[] ordinals) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(12 + 4 * ordinals.length);
        b.putInt(TOMB_MAGIC).putInt(FileFormat.TOMBSTONES.current()).putInt(ordinals.length);
        for (int o : ordinals) b.putInt(o);
        writeWithCrc(file, b.array());
    }

    static int[] readTombstones(Path file) throws IOException {
        ByteBuffer b = readVerified(file, TOMB_KIND);
        int count = b.getInt();
        if (count < 0 || count != b.remaining() / 4) throw new IOException(file + " says " + count + " tombstones: it is damaged");
        int[] out = new int[count];
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

    /**
     * The body after magic and version (without the CRC), positioned at its first byte, read onto the heap. Small
     * files are read, not mapped: a mapping would keep a deleted file's blocks on disk until it is collected.
     */
    private static ByteBuffer readVerified(Path file, Kind kind) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + " is missing", e);
        }
        return verified(ByteBuffer.wrap(all), file, kind);
    }

    /**
     * The file mapped read-only, checked as {@link #readVerified} checks it. The mapping lives until the buffer is
     * collected, so a reader that still holds it after the segment is closed reads valid bytes, never freed memory.
     */
    private static ByteBuffer mapVerified(Path file, Kind kind) throws IOException {
        ByteBuffer all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        } catch (NoSuchFileException e) {
            throw new IOException(file + " is missing", e);
        }
        return verified(all, file, kind);
    }

    /** A whole file's bytes with checksum and kind checked, limited to the body (no CRC), positioned after magic and version. */
    private static ByteBuffer verified(ByteBuffer all, Path file, Kind kind) throws IOException {
        int length = all.capacity();
        if (length < 12) throw new IOException(file + " is truncated (" + length + " bytes)");
        int magic = all.getInt(0);
        boolean versioned = magic == kind.magic();
        // A newer format may change the trailer too: its version is reported before the checksum is judged.
        if (versioned && all.getInt(4) > kind.format().current()) kind.format().check(file, all.getInt(4));
        CRC32C crc = new CRC32C();
        crc.update(all.slice(0, length - 4));
        if ((int) crc.getValue() != all.getInt(length - 4)) {
            throw new IOException(file + " fails its checksum: the file is damaged");
        }
        if (versioned) {
            kind.format().check(file, all.getInt(4));
        } else if (magic != kind.legacyMagic()) {
            throw new IOException(file + " is not a " + kind.format().kind() + " file");
        }
        int start = versioned ? 8 : 4;
        return all.slice(start, length - 4 - start);
    }
}
