package io.poisk.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The log on real files: torn tails are cut, damage is reported (never cut), old files are read, newer ones refused. */
class WriteAheadLogTest {
    static final int MAX_PAYLOAD = 1 << 20;

    @TempDir
    Path tmp;

    final List<Long> replayed = new ArrayList<>();

    WriteAheadLog open(Path dir, long covered) throws IOException {
        replayed.clear();
        return WriteAheadLog.open(dir, covered, MAX_PAYLOAD, 0, (lsn, payload, file) -> {
            assertThat(WalRecord.decode(ByteBuffer.wrap(payload)).lsn()).isEqualTo(lsn);
            replayed.add(lsn);
        });
    }

    static WalRecord record(long lsn, int textBytes) {
        byte[] doc = ("{\"id\":\"d" + lsn + "\",\"text\":\"" + "x".repeat(textBytes) + "\",\"fields\":{}}").getBytes(StandardCharsets.UTF_8);
        return new WalRecord.Upsert(lsn, "d" + lsn, doc, new float[]{1, 2, 3});
    }

    /** Appends {@code n} records of {@code textBytes} and waits until they are durable. */
    static void appendDurably(WriteAheadLog wal, int n, int textBytes) throws IOException {
        for (int i = 0; i < n; i++) {
            long lsn = wal.nextLsn();
            wal.awaitDurable(lsn, wal.append(record(lsn, textBytes)));
        }
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) out.add(i);
        return out;
    }

    /** Byte offset where the frame of {@code lsn} starts in a version-2 file that begins at {@code first}, records of {@code textBytes}. */
    static long frameOffset(long first, long lsn, int textBytes) {
        long offset = WalFormat.HEADER_BYTES;
        for (long l = first; l < lsn; l++) offset += WalFormat.FRAME_HEADER + WalRecord.encode(record(l, textBytes)).length;
        return offset;
    }

    @Test
    void tornTailIsCutAndAppendsGoOnAtTheRightLsn() throws Exception {
        Path dir = tmp.resolve("wal");
        try (WriteAheadLog wal = open(dir, 0)) {
            appendDurably(wal, 10, 100);
        }
        Path file = WriteAheadLog.logFiles(dir).getFirst();
        long full = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(full - 30); // the last frame is cut in the middle: a crash during its write
        }
        try (WriteAheadLog wal = open(dir, 0)) {
            assertThat(wal.damage()).isNull();
            assertThat(replayed).isEqualTo(range(1, 9));
            assertThat(Files.size(file)).isEqualTo(frameOffset(1, 10, 100));
            appendDurably(wal, 1, 100);
        }
        try (WriteAheadLog wal = open(dir, 0)) {
            assertThat(wal.damage()).isNull();
            assertThat(replayed).isEqualTo(range(1, 10));
        }
    }

    @Test
    void flippedBytesInTheMiddleAreReportedAsDamageNotCut() throws Exception {
        Path dir = tmp.resolve("wal");
        try (WriteAheadLog wal = open(dir, 0)) {
            appendDurably(wal, 50, 200);
        }
        Path file = WriteAheadLog.logFiles(dir).getFirst();
        long size = Files.size(file);
        long at = frameOffset(1, 20, 200) + 40;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(16);
            ch.read(b, at);
            for (int i = 0; i < 16; i++) b.put(i, (byte) ~b.get(i));
            ch.write(b.flip(), at);
        }
        try (WriteAheadLog wal = open(dir, 0)) {
            WalDamage damage = wal.damage();
            assertThat(damage).isNotNull();
            assertThat(damage.file()).isEqualTo(file);
            assertThat(damage.offset()).isEqualTo(frameOffset(1, 20, 200));
            assertThat(damage.firstLsn()).isEqualTo(20);
            assertThat(damage.lastLsn()).isEqualTo(20);
            assertThat(damage.problem()).contains("CRC mismatch").contains("LSN 21");
            assertThat(damage.describe()).contains(file.toString()).contains("offset " + frameOffset(1, 20, 200)).contains("LSN 20");
            assertThat(replayed).as("replay stops before the damage: a consistent prefix").isEqualTo(range(1, 19));
            assertThatThrownBy(() -> wal.append(record(wal.nextLsn(), 10))).isInstanceOf(IllegalStateException.class);
        }
        assertThat(Files.size(file)).as("a damaged log is never cut").isEqualTo(size);
    }

    @Test
    void aDeletedMiddleFileIsAGapAndANewerFileIsNotTakenForATail() throws Exception {
        Path dir = tmp.resolve("wal");
        try (WriteAheadLog wal = open(dir, 0)) {
            appendDurably(wal, 5, 50);
            wal.roll();
            appendDurably(wal, 5, 50);
            wal.roll();
            appendDurably(wal, 5, 50);
        }
        List<Path> files = WriteAheadLog.logFiles(dir);
        assertThat(files).hasSize(3);
        Files.delete(files.get(1));
        try (WriteAheadLog wal = open(dir, 0)) {
            WalDamage damage = wal.damage();
            assertThat(damage).isNotNull();
            assertThat(damage.file()).isEqualTo(files.get(2));
            assertThat(damage.firstLsn()).isEqualTo(6);
            assertThat(damage.lastLsn()).isEqualTo(10);
            assertThat(damage.problem()).contains("missing").contains("LSN 6..10");
            assertThat(replayed).isEqualTo(range(1, 5));
        }
        // The same hole is harmless once the segments cover it (the manifest's LSN is past it).
        try (WriteAheadLog wal = open(dir, 10)) {
            assertThat(wal.damage()).isNull();
            assertThat(replayed).isEqualTo(range(11, 15));
        }
        // Deleting every file is noticed too, when the manifest says records were written.
        for (Path f : WriteAheadLog.logFiles(dir)) Files.delete(f);
        try (WriteAheadLog wal = open(dir, 15)) {
            assertThat(wal.damage()).isNotNull();
            assertThat(wal.damage().firstLsn()).isEqualTo(16);
            assertThat(wal.damage().problem()).contains("missing");
        }
    }

    @Test
    void aFrameWithTheWrongLsnIsDamage() throws Exception {
        Path dir = tmp.resolve("wal");
        try (WriteAheadLog wal = open(dir, 0)) {
            appendDurably(wal, 3, 10);
        }
        Path file = WriteAheadLog.logFiles(dir).getFirst();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(WalFormat.frame(7, WalRecord.encode(record(7, 10)))); // an intact frame from somewhere else
        }
        try (WriteAheadLog wal = open(dir, 0)) {
            assertThat(wal.damage()).isNotNull();
            assertThat(wal.damage().problem()).contains("LSN 7 where LSN 4 belongs");
            assertThat(replayed).isEqualTo(range(1, 3));
        }
    }

    @Test
    void unversionedLogsOfEarlierBuildsAreReadAndContinuedInTheCurrentFormat() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("wal"));
        Path legacy = dir.resolve(String.format("%020d.log", 1));
        try (FileChannel ch = FileChannel.open(legacy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long lsn = 1; lsn <= 6; lsn++) {
                byte[] payload = WalRecord.encode(record(lsn, 30));
                ByteBuffer frame = ByteBuffer.allocate(8 + payload.length);
                frame.putInt(payload.length).putInt(WalFormat.legacyCrc(payload.length, payload)).put(payload).flip();
                ch.write(frame);
            }
            ch.write(ByteBuffer.wrap(new byte[]{0, 0, 1})); // and a torn tail, as such logs could have
        }
        try (WriteAheadLog wal = open(dir, 0)) {
            assertThat(wal.damage()).isNull();
            assertThat(replayed).isEqualTo(range(1, 6));
            appendDurably(wal, 2, 30);
        }
        List<Path> files = WriteAheadLog.logFiles(dir);
        assertThat(files).containsExactly(legacy, dir.resolve(String.format("%020d.log", 7)));
        try (FileChannel ch = FileChannel.open(files.get(1), StandardOpenOption.READ)) {
            assertThat(WalFormat.readHeader(ch, ch.size())).isEqualTo(new WalFormat.FileHeader(2, 7, WalFormat.HEADER_BYTES));
        }
        try (WriteAheadLog wal = open(dir, 0)) {
            assertThat(wal.damage()).isNull();
            assertThat(replayed).isEqualTo(range(1, 8));
        }
    }

    @Test
    void aLogOfANewerFormatIsRefusedClearly() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("wal"));
        ByteBuffer header = WalFormat.header(1);
        header.putInt(4, 3); // version 3 (the header CRC is recomputed below)
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(header.array(), 0, 16);
        header.putInt(16, (int) crc.getValue());
        Files.write(dir.resolve(String.format("%020d.log", 1)), header.array());
        assertThatThrownBy(() -> open(dir, 0)).isInstanceOf(WalFormat.WalVersionException.class)
                .hasMessageContaining("written by a newer Poisk: WAL format 3, this build reads 1-2");
    }

    @Test
    void aFailedFsyncFailsTheRecordCutsItAndNeverReportsItDurableLater() throws Exception {
        Path dir = tmp.resolve("wal");
        try (WriteAheadLog wal = open(dir, 0)) {
            appendDurably(wal, 3, 10);
            long epoch = wal.append(record(4, 10));
            Thread.currentThread().interrupt(); // FileChannel.force on an interrupted thread fails and closes the channel
            assertThatThrownBy(() -> wal.awaitDurable(4, epoch)).isInstanceOf(IOException.class).hasMessageContaining("not acknowledged");
            assertThat(Thread.interrupted()).isTrue();
            assertThat(wal.failed()).isTrue();
            assertThatThrownBy(() -> wal.append(record(5, 10))).isInstanceOf(IllegalStateException.class);
            wal.recover();
            assertThat(wal.nextLsn()).as("LSN 4 was cut").isEqualTo(4);
            assertThat(Files.size(WriteAheadLog.logFiles(dir).getFirst())).isEqualTo(frameOffset(1, 4, 10));
            long next = wal.append(record(4, 25)); // another record takes LSN 4 ...
            wal.awaitDurable(4, next);
            assertThatThrownBy(() -> wal.awaitDurable(4, epoch)).as("... and the old waiter still learns its record is gone")
                    .isInstanceOf(IOException.class);
        }
        try (WriteAheadLog wal = open(dir, 0)) {
            assertThat(wal.damage()).isNull();
            assertThat(replayed).isEqualTo(range(1, 4));
        }
    }

    @Test
    void aWriteThatHitAFullDiskIsCutBackAndTheLogGoesOnOnceThereIsRoom() throws Exception {
        Path mount = Files.createDirectories(tmp.resolve("small"));
        assumeThat(SmallDisk.mount(mount, "256k")).as("mounting a tmpfs needs root (mount -t tmpfs); skipped").isTrue();
        try {
            Path dir = mount.resolve("wal");
            long durable;
            try (WriteAheadLog wal = open(dir, 0)) {
                Path filler = mount.resolve("filler");
                Files.write(filler, new byte[160 * 1024]);
                IOException full = null;
                while (full == null) {
                    long lsn = wal.nextLsn();
                    try {
                        wal.awaitDurable(lsn, wal.append(record(lsn, 7000)));
                    } catch (IOException e) {
                        full = e;
                    }
                }
                assertThat(DiskSpace.isFull(full)).as(full.toString()).isTrue();
                assertThat(wal.failed()).isTrue();
                durable = wal.durableLsn();
                Path file = WriteAheadLog.logFiles(dir).getLast();
                assertThat(Files.size(file)).as("a partial frame may be there until recover()").isGreaterThanOrEqualTo(frameOffset(1, durable + 1, 7000));
                wal.recover();
                assertThat(Files.size(file)).as("cut back to the last durable frame").isEqualTo(frameOffset(1, durable + 1, 7000));
                assertThat(wal.nextLsn()).isEqualTo(durable + 1);
                Files.delete(filler); // room again
                appendDurably(wal, 3, 7000);
            }
            try (WriteAheadLog wal = open(dir, 0)) {
                assertThat(wal.damage()).isNull();
                assertThat(replayed).isEqualTo(range(1, durable + 3));
            }
        } finally {
            SmallDisk.unmount(mount);
        }
    }
}
