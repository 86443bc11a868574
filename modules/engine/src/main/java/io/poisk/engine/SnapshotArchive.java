package io.poisk.engine;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.index.SnapshotManifest;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A snapshot folder as one tar archive (Apache Commons Compress), streamed both ways: {@code snapshot.json}
 * first (format version, schema, LSN, every file's CRC32C), then the files by their relative paths. Reading
 * accepts only plain files and folders inside the target, within a byte limit; what they hold is judged
 * afterwards against {@code snapshot.json}.
 */
final class SnapshotArchive {
    private SnapshotArchive() {
    }

    static void write(Path snapshot, OutputStream out) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new BufferedOutputStream(out, 1 << 16))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            List<Path> files;
            try (Stream<Path> s = Files.walk(snapshot)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            Path manifest = snapshot.resolve(SnapshotManifest.FILE);
            tar.putArchiveEntry(tar.createArchiveEntry(manifest, SnapshotManifest.FILE));
            Files.copy(manifest, tar);
            tar.closeArchiveEntry();
            for (Path f : files) {
                String name = snapshot.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                if (name.equals(SnapshotManifest.FILE)) continue;
                tar.putArchiveEntry(tar.createArchiveEntry(f, name));
                Files.copy(f, tar);
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
    }

    /** Unpacks an archive into the empty folder {@code target}; anything that is not a snapshot archive is a BAD_REQUEST. */
    static void extract(Path archive, Path target, long maxBytes) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        long total = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            int entries = 0;
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                entries++;
                Path p = root.resolve(e.getName()).normalize();
                if (!p.startsWith(root) || p.equals(root)) throw bad("entry '" + e.getName() + "' points outside the archive");
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                    continue;
                }
                if (!e.isFile()) throw bad("entry '" + e.getName() + "' is not a plain file (links and devices are refused)");
                total += e.getSize();
                if (total > maxBytes) throw bad("the archive unpacks to more than " + maxBytes + " bytes");
                Files.createDirectories(p.getParent());
                Files.copy(tar, p);
            }
            if (entries == 0) throw bad("it holds no files");
        } catch (PoiskException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw bad("it cannot be read as a tar archive: " + e.getMessage());
        }
    }

    private static PoiskException bad(String why) {
        return new PoiskException(ErrorCode.BAD_REQUEST, "the body is not a Poisk snapshot archive: " + why);
    }
}
