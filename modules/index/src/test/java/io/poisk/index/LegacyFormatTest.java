package io.poisk.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.poisk.core.Hit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;

import static io.poisk.index.CollectionIndexTest.DIM;
import static io.poisk.index.CollectionIndexTest.OPTS;
import static io.poisk.index.CollectionIndexTest.SCHEMA;
import static io.poisk.index.TestVectors.docs;
import static io.poisk.index.TestVectors.unit;
import static org.assertj.core.api.Assertions.assertThat;

/** A collection in the layout written before files carried versions (format 1) opens, serves, and is rewritten as format 2. */
class LegacyFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void unversionedFilesOpenAsFormatOneAndNewWritesSayFormatTwo() throws Exception {
        Path dir = tmp.resolve("things");
        Random r = new Random(3);
        float[] probe = unit(r, DIM);
        try (CollectionIndex c = CollectionIndex.create(dir, SCHEMA, new CollectionOptions(CollectionOptions.Language.EN,
                Map.of("year", FieldType.LONG)), OPTS)) {
            c.upsert(docs(r, DIM, "d", 0, 200));
            c.upsert(List.of(TestVectors.doc("probe", probe)));
            c.flush();
            c.delete("d5");
            c.flush();
        }
        Path seg = FileDamageTest.segment(dir);
        for (Path json : List.of(dir.resolve("collection.json"), dir.resolve("options.json"), dir.resolve("manifest.json"))) {
            ObjectNode n = (ObjectNode) JSON.readTree(json.toFile());
            // options.json went to format 3 with passages, collection.json with collections without a model
            int format = json.endsWith("options.json") || json.endsWith("collection.json") ? 3 : 2;
            assertThat(n.path("format").asInt()).as("%s says its format", json).isEqualTo(format);
            n.remove("format");
            n.remove("passages"); // added with options format 3
            for (var segment : n.path("segments")) ((ObjectNode) segment).remove("checksummed"); // added with format 2
            Files.write(json, JSON.writeValueAsBytes(n));
        }
        Path tombstones = FileDamageTest.only(seg, "tombstones-");
        writeLegacyIds(seg.resolve("ids.bin"), SegmentFiles.readIds(seg.resolve("ids.bin")));
        writeLegacyTombstones(tombstones, SegmentFiles.readTombstones(tombstones));
        Files.delete(seg.resolve(SegmentChecksums.FILE)); // segments written before checksums have none

        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertThat(c.documentCount()).isEqualTo(200);
            assertThat(c.options().language()).isEqualTo(CollectionOptions.Language.EN);
            assertThat(c.options().fields()).containsEntry("year", FieldType.LONG);
            assertThat(c.options().passages()).as("a collection older than passages keeps one vector per document")
                    .isEqualTo(PassageOptions.OFF);
            assertThat(c.get("d5")).isEmpty();
            assertThat(c.get("d6")).isPresent();
            assertThat(c.search(probe, 1)).extracting(Hit::id).containsExactly("probe");
            c.delete("d6");
            c.flush();
        }
        assertThat(JSON.readTree(dir.resolve("manifest.json").toFile()).path("format").asInt()).isEqualTo(2);
        try (CollectionIndex c = CollectionIndex.open(dir, OPTS)) {
            assertThat(c.documentCount()).isEqualTo(199);
        }
    }

    /** The format 1 layout of ids.bin: "POID", count, (length, UTF-8 bytes) per id, CRC32C. */
    private static void writeLegacyIds(Path file, String[] ids) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x504f4944);
            out.writeInt(ids.length);
            for (String id : ids) {
                byte[] b = id.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        }
        withCrc(file, bytes.toByteArray());
    }

    /** The format 1 layout of a tombstone file: "POTB", count, ordinals, CRC32C. */
    private static void writeLegacyTombstones(Path file, int[] ordinals) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * ordinals.length).putInt(0x504f5442).putInt(ordinals.length);
        for (int o : ordinals) b.putInt(o);
        withCrc(file, b.array());
    }

    private static void withCrc(Path file, byte[] body) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(body);
        Files.write(file, ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array());
    }
}
