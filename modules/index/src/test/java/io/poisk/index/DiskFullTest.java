package io.poisk.index;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A real full disk: the collection's log lives on a 4 MiB tmpfs. A child JVM ingests until the disk is full,
 * gets 507s, the space is freed, it ingests more and is killed with SIGKILL; on reopen every acknowledged
 * document is there and nothing of a refused batch is.
 */
@Tag("process")
class DiskFullTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskIsA507AndLosesNoAcknowledgedDocumentOnceFreed() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small"));
        assumeThat(SmallDisk.mount(small, "4m")).as("mounting a tmpfs needs root (mount -t tmpfs); skipped").isTrue();
        try {
            Path dir = tmp.resolve("c");
            CollectionIndex.create(dir, CrashingWriter.SCHEMA, DiskFullWriter.OPTS).close();
            // The log goes to the small disk; the rest of the collection stays where it is.
            Path wal = Files.createDirectories(small.resolve("wal"));
            for (Path f : WriteAheadLog.logFiles(dir.resolve("wal"))) Files.move(f, wal.resolve(f.getFileName()));
            Files.delete(dir.resolve("wal"));
            Files.createSymbolicLink(dir.resolve("wal"), wal);
            Path filler = small.resolve("filler");
            Files.write(filler, new byte[2 << 20]);

            List<String> acked = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            Process child = ChildJvm.start(DiskFullWriter.class, tmp.resolve("child.err"), dir.toString());
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter in = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
                assertThat(out.readLine()).as("child did not start; see %s", tmp.resolve("child.err")).isEqualTo("ready");
                int next = 0;
                int fullReplies = 0;
                while (fullReplies < 3) {
                    assertThat(next).as("the disk never filled").isLessThan(20_000);
                    in.println(next + " 20");
                    String reply = out.readLine();
                    List<String> ids = ids(next, 20);
                    if (reply.equals("ok")) {
                        assertThat(fullReplies).as("a write after a 507 while the disk is still full").isZero();
                        acked.addAll(ids);
                    } else {
                        assertThat(reply).startsWith("err insufficient_storage").contains("is full");
                        fullReplies++;
                        refused.addAll(ids);
                    }
                    next += 20;
                }
                Files.delete(filler); // room again: writes resume, no restart needed
                for (int i = 0; i < 10; i++) {
                    in.println(next + " 20");
                    assertThat(out.readLine()).isEqualTo("ok");
                    acked.addAll(ids(next, 20));
                    next += 20;
                }
                ChildJvm.kill9(child);
            } finally {
                child.destroyForcibly();
            }
            try (CollectionIndex c = CollectionIndex.open(dir, DiskFullWriter.OPTS)) {
                assertThat(c.readOnlyReason()).isEmpty();
                for (String id : acked) {
                    assertThat(c.get(id)).as(id).hasValueSatisfying(d -> assertThat(d.text()).isEqualTo(DiskFullWriter.textOf(id)));
                }
                for (String id : refused) assertThat(c.get(id)).as("refused %s", id).isEmpty();
                assertThat(c.documentCount()).isEqualTo(acked.size());
            }
        } finally {
            SmallDisk.unmount(small);
        }
    }

    @Test
    void belowTheConfiguredReserveWritesAre507BeforeTheLog() throws Exception {
        Path dir = tmp.resolve("r");
        CollectionIndex.create(dir, CrashingWriter.SCHEMA, DiskFullWriter.OPTS).close();
        long logBytes = Files.size(WriteAheadLog.logFiles(dir.resolve("wal")).getLast());
        try (CollectionIndex c = CollectionIndex.open(dir, DiskFullWriter.OPTS.withMinFreeDiskBytes(Long.MAX_VALUE))) {
            assertThatThrownBy(() -> c.upsert(List.of(TestVectors.doc("x", CrashingWriter.vectorOf(1)))))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_STORAGE))
                    .hasMessageContaining("is full").hasMessageContaining("index.min_free_disk_bytes");
            assertThatThrownBy(() -> c.delete("x")).isInstanceOf(PoiskException.class).hasMessageContaining("is full");
            assertThat(c.readOnlyReason()).isEmpty();
        }
        assertThat(Files.size(WriteAheadLog.logFiles(dir.resolve("wal")).getLast())).isEqualTo(logBytes);
        try (CollectionIndex c = CollectionIndex.open(dir, DiskFullWriter.OPTS)) {
            c.upsert(List.of(TestVectors.doc("x", CrashingWriter.vectorOf(1))));
            assertThat(c.documentCount()).isEqualTo(1);
        }
    }

    private static List<String> ids(int first, int n) {
        List<String> out = new ArrayList<>();
        for (int i = first; i < first + n; i++) out.add("c" + i);
        return out;
    }
}
