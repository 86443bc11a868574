package io.poisk.cluster;

import io.poisk.core.Document;
import io.poisk.core.Hit;
import io.poisk.core.Passage;
import io.poisk.core.SearchMode;
import io.poisk.engine.RankedHit;
import io.poisk.engine.RerankChoice;
import io.poisk.engine.ResultShape;
import io.poisk.engine.SearchRequest;
import io.poisk.index.Fusion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The event-bus form of a shard search and its answer (JSON, so any node reads any other's): the request as the
 * shard runs it (first page of offset + k hits, no rerank, the coordinator's query vector) and hits with their score,
 * text, fields, snippet and passage.
 */
final class ShardSearchCodec {
    private ShardSearchCodec() {
    }

    /** {@code request} as each shard runs it: ranks 1..offset+k, no rerank, with {@code vector} (null: none). */
    static JsonObject request(SearchRequest r, float[] vector) {
        JsonObject j = new JsonObject().put("query", r.query()).put("instruction", r.instruction()).put("k", r.end())
                .put("mode", r.mode().wireName()).put("filter", new JsonObject(r.filter()));
        if (r.fusion() instanceof Fusion.Rrf rrf) j.put("fusion", new JsonObject().put("method", "rrf").put("k", rrf.k()));
        if (r.fusion() instanceof Fusion.Weighted w) {
            j.put("fusion", new JsonObject().put("method", "weighted").put("dense", w.dense()).put("lexical", w.lexical()));
        }
        ResultShape s = r.shape();
        j.put("return_text", s.returnText()).put("snippet_chars", s.snippetChars());
        if (s.fields() != null) j.put("fields", new JsonArray(new ArrayList<>(s.fields())));
        if (vector != null) j.put("vector", ShardRecordCodec.vector(vector));
        return j;
    }

    static SearchRequest request(JsonObject j) {
        JsonObject fusion = j.getJsonObject("fusion");
        JsonArray fields = j.getJsonArray("fields");
        ResultShape shape = new ResultShape(j.getBoolean("return_text", true), fields == null ? null
                : new HashSet<>(fields.getList().stream().map(String::valueOf).toList()), j.getInteger("snippet_chars", 0));
        String vector = j.getString("vector");
        return new SearchRequest(j.getString("query"), j.getString("instruction"), j.getInteger("k"), SearchMode.parse(j.getString("mode")),
                j.getJsonObject("filter", new JsonObject()).getMap(), fusion == null ? null : Fusion.fromMap(fusion.getMap()),
                RerankChoice.OFF, 0, shape, vector == null ? null : ShardRecordCodec.vector(vector));
    }

    static JsonArray hits(List<RankedHit> hits) {
        JsonArray out = new JsonArray();
        for (RankedHit r : hits) {
            Hit h = r.hit();
            JsonObject o = new JsonObject().put("id", h.id()).put("score", h.score()).put("text", h.text())
                    .put("fields", new JsonObject(h.fields())).put("snippet", r.snippet());
            if (h.passage() != null) o.put("passage", new JsonArray().add(h.passage().start()).add(h.passage().end()));
            out.add(o);
        }
        return out;
    }

    static List<RankedHit> hits(JsonArray hits) {
        List<RankedHit> out = new ArrayList<>(hits.size());
        for (Object x : hits) {
            JsonObject o = (JsonObject) x;
            JsonArray p = o.getJsonArray("passage");
            Hit h = new Hit(o.getString("id"), o.getFloat("score"), o.getString("text"), o.getJsonObject("fields").getMap(),
                    p == null ? null : new Passage(p.getInteger(0), p.getInteger(1)));
            out.add(new RankedHit(h, h.score(), false, o.getString("snippet")));
        }
        return out;
    }

    static JsonObject document(Document d) {
        return new JsonObject().put("id", d.id()).put("text", d.text()).put("fields", new JsonObject(d.fields()));
    }

    static Document document(JsonObject j) {
        Map<String, Object> fields = j.getJsonObject("fields", new JsonObject()).getMap();
        return new Document(j.getString("id"), j.getString("text"), fields);
    }
}
