package io.poisk.server.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.CollectionInfo;
import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.Hit;
import io.poisk.index.UnavailableCollection;
import io.poisk.engine.CollectionDescription;
import io.poisk.engine.QuarantineReport;
import io.poisk.engine.RankedHit;
import io.poisk.engine.RerankSummary;
import io.poisk.engine.SearchPage;
import io.vertx.core.buffer.Buffer;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the public HTTP contract. */
public final class ResponseEncoder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResponseEncoder() {
    }

    public static Map<String, Object> collection(CollectionDescription description) {
        if (description.unavailable() != null) return unavailable(description.unavailable());
        CollectionInfo info = description.info();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", info.name());
        m.put("status", "ready");
        m.put("model", info.schema().model());
        m.put("dimension", info.schema().dimension());
        m.put("similarity", info.schema().similarity());
        m.put("documents", info.documents());
        m.put("segments", info.segments());
        m.putAll(description.options().toMap()); // "language", "fields" and "rerank" (null: none), as PUT takes them
        return m;
    }

    /** A collection that failed to open: {@code {"name","status":"unavailable","error":{"code","message"}}}, as its requests answer. */
    private static Map<String, Object> unavailable(UnavailableCollection u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.name());
        m.put("status", "unavailable");
        m.put("error", Map.of("code", ErrorCode.COLLECTION_UNAVAILABLE.code(), "message", u.error().getMessage()));
        return m;
    }

    /** {@code {"collection","read_only": reason or null,"quarantined":[{"lsn","id","reason"}]}}. */
    public static Map<String, Object> quarantine(QuarantineReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("collection", report.collection());
        m.put("read_only", report.readOnly());
        m.put("quarantined", report.quarantined().stream()
                .map(q -> Map.<String, Object>of("lsn", q.lsn(), "id", q.id(), "reason", q.reason())).toList());
        return m;
    }

    public static Map<String, Object> collections(List<CollectionDescription> infos) {
        return Map.of("collections", infos.stream().map(ResponseEncoder::collection).toList());
    }

    public static Map<String, Object> document(Document d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("text", d.text());
        m.put("fields", d.fields());
        return m;
    }

    /**
     * {@code {"hits":[{"id","score","text","fields","snippet"}],"took_ms":n}} (text left out when the request said
     * {@code "return_text":false}, snippet only when it asked for {@code "highlight"}, passage {@code {"start","end"}}
     * on dense and hybrid hits: the best-scoring passage's characters in the text); a reranked search adds per hit
     * {@code "first_stage_score"} and {@code "reranked"}, and {@code "rerank":{"model","top_n","scored","complete","took_ms"}}.
     * {@code score} is always the score the page is ordered by. {@code "mode"} appears when the search ran in another
     * mode than the one asked (a hybrid query without a vector on a collection without a model runs lexically).
     */
    public static Map<String, Object> search(SearchPage r) {
        boolean reranked = r.rerank() != null;
        List<Map<String, Object>> hits = new ArrayList<>(r.hits().size());
        for (RankedHit ranked : r.hits()) {
            Hit h = ranked.hit();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", h.id());
            m.put("score", h.score());
            if (reranked) {
                m.put("first_stage_score", ranked.firstStageScore());
                m.put("reranked", ranked.reranked());
            }
            if (h.text() != null) m.put("text", h.text());
            m.put("fields", h.fields());
            if (ranked.snippet() != null) m.put("snippet", ranked.snippet());
            if (h.passage() != null) m.put("passage", Map.of("start", h.passage().start(), "end", h.passage().end()));
            hits.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hits", hits);
        m.put("took_ms", r.tookMs());
        // A collection without a model runs a hybrid query that has no vector lexically: the reply says so.
        if (r.ranAs() != null) m.put("mode", r.ranAs().wireName());
        // A sharded collection's page says which shards answered; it is never silently short.
        if (r.shards() != null) {
            m.put("shards", Map.of("total", r.shards().total(), "answered", r.shards().answered(), "missing", r.shards().missing()));
            m.put("partial", r.shards().partial());
        }
        if (reranked) {
            RerankSummary s = r.rerank();
            Map<String, Object> rr = new LinkedHashMap<>();
            rr.put("model", s.model());
            rr.put("top_n", s.topN());
            rr.put("scored", s.scored());
            rr.put("complete", s.complete());
            rr.put("took_ms", s.tookMs());
            m.put("rerank", rr);
        }
        return m;
    }

    public static Map<String, Object> snapshot(io.poisk.engine.SnapshotInfo s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        out.put("collection", s.collection());
        out.put("lsn", s.lsn());
        out.put("documents", s.documents());
        out.put("bytes", s.bytes());
        out.put("created", s.created());
        return out;
    }

    public static Map<String, Object> snapshots(List<io.poisk.engine.SnapshotInfo> all) {
        return Map.of("snapshots", all.stream().map(ResponseEncoder::snapshot).toList());
    }

    public static Map<String, Object> error(String code, String message) {
        return error(code, message, Map.of());
    }

    /** The error shape with {@code extra} top-level members after {@code error}. */
    public static Map<String, Object> error(String code, String message, Map<String, Object> extra) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", code);
        e.put("message", message);
        if (extra.isEmpty()) return Map.of("error", e);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("error", e);
        out.putAll(extra);
        return out;
    }

    public static Buffer toBuffer(Object value) {
        try {
            return Buffer.buffer(JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
