package io.poisk.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server over a log that holds a record the index cannot apply: a 400 when sent now, and when an older
 * build logged it, the server still starts, quarantines it, applies what follows and reports it.
 */
@Tag("model")
class PoisonRecordRestartTest {
    @TempDir
    Path dataDir;

    @Test
    void aPoisonRecordInTheLogIsQuarantinedAndTheServerServes() throws Exception {
        String longTag = "t".repeat(40_000);
        int dimension;
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/tags", "{\"fields\":{\"tag\":\"keyword\"}}").status()).isEqualTo(201);
            var refused = api.post("/collections/tags/documents", json(Map.of("documents",
                    List.of(HttpApiTest.doc("long", "a text", Map.of("tag", longTag))))));
            assertThat(refused.status()).as(refused.raw()).isEqualTo(400);
            assertThat(refused.errorCode()).isEqualTo("invalid_document");
            var ok = api.post("/collections/tags/documents", json(Map.of("documents",
                    List.of(HttpApiTest.doc("first", "a text about cats", Map.of("tag", "a"))))));
            assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
            dimension = api.get("/collections/tags").body().path("dimension").asInt();
        }
        // An older build logged the same document (LSN 2), then a good one (LSN 3), in a new log file.
        Path wal = dataDir.resolve("collections/tags/wal");
        Files.write(wal.resolve(String.format("%020d.log", 2)), logFile(2, List.of(
                upsert(2, "long", longTag, dimension), upsert(3, "after", "b", dimension))));

        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.get("/collections/tags/documents/first").status()).isEqualTo(200);
            assertThat(api.get("/collections/tags/documents/after").status()).isEqualTo(200);
            assertThat(api.get("/collections/tags/documents/long").status()).isEqualTo(404);
            var report = api.get("/collections/tags/quarantine");
            assertThat(report.status()).as(report.raw()).isEqualTo(200);
            assertThat(report.body().path("read_only").isNull()).isTrue();
            assertThat(report.body().path("quarantined")).hasSize(1);
            assertThat(report.body().path("quarantined").get(0).path("lsn").asLong()).isEqualTo(2);
            assertThat(report.body().path("quarantined").get(0).path("id").asText()).isEqualTo("long");
            assertThat(report.body().path("quarantined").get(0).path("reason").asText()).contains("keyword field 'tag'");
            var more = api.post("/collections/tags/documents", json(Map.of("documents",
                    List.of(HttpApiTest.doc("later", "more text", Map.of("tag", "c"))))));
            assertThat(more.status()).as(more.raw()).isEqualTo(200);
            assertThat(api.get("/collections/nope/quarantine").status()).isEqualTo(404);
        }
    }

    /** A version-2 log file (see WalFormat in the index module), written byte by byte as another build would. */
    private static byte[] logFile(long firstLsn, List<byte[]> payloads) {
        ByteBuffer b = ByteBuffer.allocate(20 + payloads.stream().mapToInt(p -> 20 + p.length).sum());
        b.putInt(0x5057414C).putInt(2).putLong(firstLsn).putInt(crc(b.array(), 0, 16));
        long lsn = firstLsn;
        for (byte[] p : payloads) {
            ByteBuffer head = ByteBuffer.allocate(12).putInt(p.length).putLong(lsn++);
            CRC32C c = new CRC32C();
            c.update(head.array());
            c.update(p);
            b.putInt(0xF7A1C35E).put(head.array()).putInt((int) c.getValue()).put(p);
        }
        return b.array();
    }

    private static int crc(byte[] bytes, int from, int len) {
        CRC32C c = new CRC32C();
        c.update(bytes, from, len);
        return (int) c.getValue();
    }

    /** A WalRecord.Upsert payload: type, LSN, id, stored document JSON, vector. */
    private static byte[] upsert(long lsn, String id, String tag, int dimension) {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        byte[] doc = ("{\"id\":\"" + id + "\",\"text\":\"text of " + id + "\",\"fields\":{\"tag\":\"" + tag + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 4 + idBytes.length + 4 + doc.length + 4 + 4 * dimension);
        b.put((byte) 1).putLong(lsn).putInt(idBytes.length).put(idBytes).putInt(doc.length).put(doc).putInt(dimension);
        for (int i = 0; i < dimension; i++) b.putFloat(i == 0 ? 1f : 0f);
        return b.array();
    }
}
