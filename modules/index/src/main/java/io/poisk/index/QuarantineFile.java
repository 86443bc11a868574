package io.poisk.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code quarantine.jsonl} in a collection's folder: the log records replay could not apply, kept so that
 * nothing acknowledged is ever thrown away, with why. JSON lines: a header line
 * {@code {"format":"poisk-quarantine","version":1}}, then one line per record {@code {"lsn","id","reason",
 * "log_file","record"}} where {@code record} is the log payload in base64 (the {@link WalRecord} encoding).
 * Each line is fsync-ed before replay goes on, so it is durable before a flush lets the log file go.
 */
final class QuarantineFile {
    private static final Logger log = LoggerFactory.getLogger(QuarantineFile.class);
    static final String FILE = "quarantine.jsonl";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final List<QuarantinedRecord> records = new ArrayList<>();

    private QuarantineFile(Path file) {
        this.file = file;
    }

    /** Reads the quarantine of the collection in {@code dir} (none yet: empty); a newer format is refused. */
    static QuarantineFile read(Path dir) throws IOException {
        QuarantineFile q = new QuarantineFile(dir.resolve(FILE));
        if (!Files.exists(q.file)) return q;
        List<String> lines = Files.readAllLines(q.file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            Map<?, ?> m;
            try {
                m = JSON.readValue(line, Map.class);
            } catch (IOException e) {
                log.warn("{} line {} is not readable (an interrupted write?); skipped", q.file, i + 1);
                continue;
            }
            if (i == 0) {
                int version = m.get("version") instanceof Integer v ? v : -1;
                if (version > VERSION) {
                    throw new IOException(q.file + " was written by a newer Poisk: quarantine format " + version
                            + ", this build reads " + VERSION);
                }
                continue;
            }
            q.records.add(new QuarantinedRecord(((Number) m.get("lsn")).longValue(), (String) m.get("id"), (String) m.get("reason")));
        }
        return q;
    }

    synchronized List<QuarantinedRecord> records() {
        return List.copyOf(records);
    }

    synchronized boolean contains(long lsn) {
        return records.stream().anyMatch(r -> r.lsn() == lsn);
    }

    /** Appends a record durably (once per LSN: a replay that meets it again adds nothing). */
    synchronized void add(long lsn, String id, String reason, Path logFile, byte[] payload) throws IOException {
        if (contains(lsn)) return;
        boolean created = !Files.exists(file);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("lsn", lsn);
        line.put("id", id);
        line.put("reason", reason);
        line.put("log_file", logFile == null ? null : logFile.getFileName().toString());
        line.put("record", Base64.getEncoder().encodeToString(payload));
        StringBuilder out = new StringBuilder();
        if (created) out.append("{\"format\":\"poisk-quarantine\",\"version\":").append(VERSION).append("}\n");
        out.append(JSON.writeValueAsString(line)).append('\n');
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                WalFormat.readFully(ch, last, size - 1);
                if (last.get(0) != '\n') out.insert(0, '\n'); // a torn line from an interrupted write stays apart
            }
            ByteBuffer b = ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) size += ch.write(b, size);
            ch.force(true);
        }
        if (created) DurableFiles.fsyncDirectory(file.getParent());
        records.add(new QuarantinedRecord(lsn, id, reason));
    }
}
