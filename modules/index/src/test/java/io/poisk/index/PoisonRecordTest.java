package io.poisk.index;

import io.poisk.core.Document;
import io.poisk.core.DocumentCodec;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.poisk.index.TestVectors.unit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A record the index cannot apply never stops a collection: refused before the log, quarantined on replay. */
class PoisonRecordTest {
    static final int DIM = 16;
    static final CollectionOptions TAGGED = new CollectionOptions(CollectionOptions.Language.AUTO, Map.of("tag", FieldType.KEYWORD));

    @TempDir
    Path tmp;

    static EmbeddedDocument doc(String id, String tag, Random r) {
        return new EmbeddedDocument(new Document(id, "text of " + id.substring(0, Math.min(id.length(), 20)), Map.of("tag", tag)), unit(r, DIM));
    }

    static long logBytes(Path dir) throws Exception {
        long n = 0;
        for (Path f : WriteAheadLog.logFiles(dir.resolve("wal"))) n += Files.size(f);
        return n;
    }

    @Test
    void whatTheIndexCannotStoreIsRefusedWithA4xxBeforeTheLog() throws Exception {
        Random r = new Random(1);
        Path dir = tmp.resolve("c");
        try (CollectionIndex c = CollectionIndex.create(dir, CollectionIndexTest.SCHEMA, TAGGED, CollectionIndexTest.OPTS)) {
            c.upsert(List.of(doc("ok", "short", r)));
            long before = logBytes(dir);
            String longTag = "k".repeat(40_000);
            assertThatThrownBy(() -> c.upsert(List.of(doc("fine", "a", r), doc("long-tag", longTag, r))))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT))
                    .hasMessageContaining("keyword field 'tag'").hasMessageContaining("40000").hasMessageContaining("32766");
            String hugeId = "i".repeat(1_000_000);
            assertThatThrownBy(() -> c.upsert(List.of(doc(hugeId, "a", r))))
                    .isInstanceOfSatisfying(PoiskException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DOCUMENT))
                    .hasMessageContaining("1000000 UTF-8 bytes").hasMessageContaining("at most 1024");
            assertThatThrownBy(() -> c.delete(hugeId)).isInstanceOf(PoiskException.class);
            assertThatThrownBy(() -> c.upsert(List.of(doc("bad\uD800surrogate", "a", r)))).isInstanceOf(PoiskException.class)
                    .hasMessageContaining("surrogate");
            assertThat(logBytes(dir)).as("nothing of a refused batch is logged").isEqualTo(before);
            assertThat(c.get("fine")).isEmpty();
            String longestId = "é".repeat(DocumentAdmission.MAX_ID_BYTES / 2);
            c.upsert(List.of(doc(longestId, "k".repeat(DocumentAdmission.MAX_KEYWORD_BYTES), r)));
            assertThat(c.get(longestId)).isPresent();
        }
        try (CollectionIndex c = CollectionIndex.open(dir, CollectionIndexTest.OPTS)) {
            assertThat(c.documentCount()).isEqualTo(2);
            assertThat(c.quarantined()).isEmpty();
            assertThat(c.readOnlyReason()).isEmpty();
        }
    }

    @Test
    void poisonRecordsLoggedByAnOlderBuildAreQuarantinedAndTheRestIsApplied() throws Exception {
        Random r = new Random(2);
        Path dir = tmp.resolve("c");
        try (CollectionIndex c = CollectionIndex.create(dir, CollectionIndexTest.SCHEMA, TAGGED, CollectionIndexTest.OPTS)) {
            c.upsert(List.of(doc("a0", "x", r), doc("a1", "y", r)));
        }
        // What an older build that lacked the checks logged: one batch with two poison records among good ones.
        String hugeId = "h".repeat(1_000_000);
        List<EmbeddedDocument> batch = List.of(doc("b0", "x", r), doc("poison-tag", "t".repeat(40_000), r), doc("b1", "y", r),
                doc(hugeId, "z", r), doc("b2", "z", r));
        try (WriteAheadLog wal = WriteAheadLog.open(dir.resolve("wal"), Manifest.read(dir).coveredLsn(), 8 << 20, 0, (l, p, f) -> {
        })) {
            long epoch = 0;
            for (EmbeddedDocument d : batch) {
                epoch = wal.append(new WalRecord.Upsert(wal.nextLsn(), d.document().id(), DocumentCodec.encode(d.document()), d.vector()));
            }
            wal.awaitDurable(wal.lastLsn(), epoch);
        }
        try (CollectionIndex c = CollectionIndex.open(dir, CollectionIndexTest.OPTS)) {
            assertThat(c.readOnlyReason()).isEmpty();
            assertThat(c.quarantined()).extracting(QuarantinedRecord::lsn).containsExactly(4L, 6L);
            assertThat(c.quarantined().get(0).id()).isEqualTo("poison-tag");
            assertThat(c.quarantined().get(0).reason()).contains("keyword field 'tag'");
            assertThat(c.quarantined().get(1).id()).hasSizeLessThan(130).startsWith("hhhh");
            assertThat(c.quarantined().get(1).reason()).contains("document map refused it").contains("too large");
            for (String id : List.of("a0", "a1", "b0", "b1", "b2")) assertThat(c.get(id)).as(id).isPresent();
            assertThat(c.get("poison-tag")).isEmpty();
            assertThat(c.documentCount()).isEqualTo(5);
            c.upsert(List.of(doc("c0", "w", r))); // the collection takes writes
            assertThat(c.search(batch.get(4).vector(), 1).getFirst().id()).isEqualTo("b2");
        }
        Path quarantine = dir.resolve(QuarantineFile.FILE);
        assertThat(Files.readAllLines(quarantine).getFirst()).isEqualTo("{\"format\":\"poisk-quarantine\",\"version\":1}");
        long size = Files.size(quarantine);
        try (CollectionIndex c = CollectionIndex.open(dir, CollectionIndexTest.OPTS)) {
            assertThat(Files.size(quarantine)).as("meeting the same records again adds nothing").isEqualTo(size);
            assertThat(c.quarantined()).hasSize(2);
            c.flush(); // the log holding the poison records goes; the quarantine keeps them
        }
        assertThat(Files.readString(quarantine)).contains("\"id\":\"" + hugeId + "\"");
        try (CollectionIndex c = CollectionIndex.open(dir, CollectionIndexTest.OPTS)) {
            assertThat(c.quarantined()).extracting(QuarantinedRecord::lsn).containsExactly(4L, 6L);
            assertThat(c.documentCount()).isEqualTo(6);
        }
    }
}
