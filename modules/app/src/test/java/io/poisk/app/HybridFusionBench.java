package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.Document;
import io.poisk.core.Hit;
import io.poisk.core.PoiskConfig;
import io.poisk.eval.EvalQuery;
import io.poisk.eval.RetrievalDataset;
import io.poisk.eval.RetrievalScores;
import io.poisk.eval.SquadLoader;
import io.poisk.index.Fusion;
import io.poisk.index.RankFusion;
import io.poisk.server.PoiskServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The measurement behind the default hybrid fusion: XQuAD-ru (240 paragraphs, 1190 questions) indexed
 * once over HTTP with the default model; dense and lexical lists fetched once over HTTP at the depth
 * hybrid fuses (max(2k, 50)), fused here with the index's {@link RankFusion} under several fusions;
 * then the served default (no mode, no fusion in the body) over HTTP, which must match its local fusion.
 * Russian only: the English XQuAD is not on this machine. Prints a table of nDCG@10 and recall@10. Run:
 * {@code mvn -o -pl modules/server,modules/app test -Dtest=HybridFusionBench -Dsurefire.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("bench")
class HybridFusionBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLLECTION = "xquad-ru";
    private static final int K = 10;
    /** What hybrid fetches per list for k = 10 (SearchQuery.depth in the index). */
    private static final int DEPTH = Math.max(2 * K, 50);
    /** Must equal QueryRetrieval.DEFAULT_FUSION (package-private in the server); the last row checks the served default. */
    private static final Fusion DEFAULT_FUSION = new Fusion.Weighted(0.2, 0.8);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void compareModesAndFusionsOnXquadRu(@TempDir Path tmp) throws Exception {
        RetrievalDataset xquad = SquadLoader.load(ServerEndToEndTest.xquadFile());
        PoiskConfig config = PoiskConfig.defaults().with(Map.of("port", "0", "host", "127.0.0.1",
                "data_dir", tmp.toString(), "models_dir", System.getProperty("poisk.models.dir")));
        Map<String, Fusion> fusions = new LinkedHashMap<>();
        for (int k : List.of(60, 20, 10, 5, 1)) fusions.put("rrf k=" + k, new Fusion.Rrf(k));
        for (double dense : List.of(0.7, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.05)) {
            double lexical = Math.round((1 - dense) * 100) / 100.0;
            fusions.put("weighted " + dense + "/" + lexical, new Fusion.Weighted(dense, lexical));
        }
        StringBuilder table = new StringBuilder(String.format("%n%-30s %9s %10s%n", "XQuAD-ru, 1190 questions", "nDCG@10", "recall@10"));
        try (PoiskServer server = PoiskServer.start(config)) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            assertThat(send(base, "PUT", "/collections/" + COLLECTION, "{}").statusCode()).isEqualTo(201);
            for (int from = 0; from < xquad.corpus().size(); from += 48) {
                List<Document> batch = xquad.corpus().subList(from, Math.min(xquad.corpus().size(), from + 48));
                HttpResponse<String> r = send(base, "POST", "/collections/" + COLLECTION + "/documents",
                        JSON.writeValueAsString(Map.of("documents", batch)));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            Map<String, List<Hit>> dense = searchAll(base, xquad.queries(), Map.of("mode", "dense"), DEPTH);
            Map<String, List<Hit>> lexical = searchAll(base, xquad.queries(), Map.of("mode", "lexical"), DEPTH);
            row(table, "dense", top(dense), xquad);
            row(table, "lexical", top(lexical), xquad);
            Map<String, List<String>> defaultFused = null;
            for (var f : fusions.entrySet()) {
                Map<String, List<String>> fused = new LinkedHashMap<>();
                for (EvalQuery q : xquad.queries()) {
                    fused.put(q.id(), ids(RankFusion.fuse(dense.get(q.id()), lexical.get(q.id()), f.getValue(), K)));
                }
                row(table, "hybrid " + f.getKey(), fused, xquad);
                if (f.getValue().equals(DEFAULT_FUSION)) defaultFused = fused;
            }
            Map<String, List<String>> served = top(searchAll(base, xquad.queries(), Map.of(), K));
            row(table, "served default (hybrid)", served, xquad);
            System.out.println(table);
            assertThat(defaultFused).isNotNull();
            int same = 0;
            for (EvalQuery q : xquad.queries()) if (served.get(q.id()).equals(defaultFused.get(q.id()))) same++;
            assertThat(same).as("queries whose served hybrid page equals the local fusion of the two lists").isEqualTo(xquad.queries().size());
        }
    }

    private static void row(StringBuilder table, String name, Map<String, List<String>> run, RetrievalDataset xquad) {
        RetrievalScores s = RetrievalScores.of(run, xquad.qrels(), K);
        table.append(String.format("%-30s %9.4f %10.4f%n", name, s.ndcg(), s.recall()));
    }

    private static Map<String, List<String>> top(Map<String, List<Hit>> run) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        run.forEach((q, hits) -> out.put(q, ids(hits.subList(0, Math.min(K, hits.size())))));
        return out;
    }

    private static List<String> ids(List<Hit> hits) {
        return hits.stream().map(Hit::id).toList();
    }

    /** Every query with the given body options and k, from four clients; query id → hits with their scores. */
    private Map<String, List<Hit>> searchAll(URI base, List<EvalQuery> queries, Map<String, Object> options, int k) throws Exception {
        Map<String, List<Hit>> run = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (EvalQuery q : queries) {
                pending.add(clients.submit(() -> {
                    Map<String, Object> body = new LinkedHashMap<>(options);
                    body.put("query", q.text());
                    body.put("k", k);
                    HttpResponse<String> r = send(base, "POST", "/collections/" + COLLECTION + "/search", JSON.writeValueAsString(body));
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    List<Hit> hits = new ArrayList<>();
                    for (JsonNode h : JSON.readTree(r.body()).get("hits")) {
                        hits.add(new Hit(h.get("id").asText(), (float) h.get("score").asDouble(), "", Map.of()));
                    }
                    run.put(q.id(), hits);
                    return null;
                }));
            }
            for (Future<?> f : pending) f.get();
        } finally {
            clients.shutdownNow();
        }
        return run;
    }

    private HttpResponse<String> send(URI base, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
