package io.poisk.index;

import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * {@code checksums.json} of a segment folder: length and CRC32C of the graph (with its inline and PQ
 * vectors) and of {@code ids.bin}, written when the segment is written and checked before it is opened,
 * so a flipped bit or a truncated file is an error naming the file rather than wrong answers. The
 * Lucene files of the lexical index carry their own footer checksums, checked here too.
 */
final class SegmentChecksums {
    static final String FILE = "checksums.json";
    private static final String ALGORITHM = "crc32c";
    /** The files whose checksums the segment records (tombstones have their own CRC: they change after the segment). */
    private static final List<String> COVERED = List.of(SegmentFiles.GRAPH, SegmentFiles.IDS);

    record FileSum(long bytes, String crc32c) {
    }

    record Content(String algorithm, Map<String, FileSum> files) {
    }

    private SegmentChecksums() {
    }

    /** Records the checksums of a segment folder's files (called before the folder is forced and renamed into place). */
    static void write(Path segmentDir) throws IOException {
        Map<String, FileSum> files = new LinkedHashMap<>();
        for (String name : COVERED) files.put(name, sum(segmentDir.resolve(name)));
        VersionedJson.write(segmentDir.resolve(FILE), FileFormat.CHECKSUMS, new Content(ALGORITHM, files));
    }

    static boolean isPresent(Path segmentDir) {
        return Files.exists(segmentDir.resolve(FILE));
    }

    /**
     * Checks every recorded file and the Lucene footers. A segment written before checksums existed has
     * no {@code checksums.json} ({@code required} false): its Lucene files are still checked; false tells
     * the caller the rest was not.
     */
    static boolean verify(Path segmentDir, boolean required) throws IOException {
        Path lexical = segmentDir.resolve(DiskLexicalIndex.DIR);
        verifyLexical(lexical);
        Path file = segmentDir.resolve(FILE);
        if (!Files.exists(file)) {
            if (required) throw new IOException(file + " is missing (the manifest says the segment was written with it)");
            return false;
        }
        // Lexical indexing predates checksums: a segment with checksums without a lexical index lost it.
        if (!Files.isDirectory(lexical)) throw new IOException(lexical + " is missing: the segment's lexical index was deleted");
        Content recorded = VersionedJson.read(file, FileFormat.CHECKSUMS).as(Content.class, file);
        if (!ALGORITHM.equals(recorded.algorithm()) || recorded.files() == null) {
            throw new IOException(file + " names checksum algorithm '" + recorded.algorithm() + "'; this build checks " + ALGORITHM);
        }
        for (var e : recorded.files().entrySet()) {
            Path f = segmentDir.resolve(e.getKey());
            FileSum want = e.getValue();
            FileSum got;
            try {
                got = sum(f);
            } catch (NoSuchFileException ex) {
                throw new IOException(f + " is missing (" + FILE + " records it)", ex);
            }
            if (got.bytes() != want.bytes()) {
                throw new IOException(f + " has " + got.bytes() + " bytes but " + want.bytes() + " were written: it was truncated or replaced");
            }
            if (!got.crc32c().equals(want.crc32c())) {
                throw new IOException(f + " fails its checksum (crc32c " + got.crc32c() + ", written " + want.crc32c() + "): the file is damaged");
            }
        }
        return true;
    }

    private static FileSum sum(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        long bytes = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; bytes += n) crc.update(buf, 0, n);
        }
        return new FileSum(bytes, String.format("%08x", crc.getValue()));
    }

    /** Reads every Lucene file whole and checks its footer checksum (what CheckIndex does first, without decoding postings). */
    private static void verifyLexical(Path lexicalDir) throws IOException {
        if (!Files.isDirectory(lexicalDir)) return;
        try (Directory d = FSDirectory.open(lexicalDir)) {
            for (String name : d.listAll()) {
                if (IndexWriter.WRITE_LOCK_NAME.equals(name)) continue; // the lock file has no footer
                try (IndexInput in = d.openInput(name, IOContext.READONCE)) {
                    CodecUtil.checksumEntireFile(in);
                } catch (IOException e) {
                    throw new IOException(lexicalDir.resolve(name) + " fails its Lucene checksum: the file is damaged (" + e.getMessage() + ")", e);
                }
            }
        }
    }
}
