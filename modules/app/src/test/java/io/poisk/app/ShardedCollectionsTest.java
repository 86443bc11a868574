package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.poisk.core.PoiskConfig;
import io.poisk.engine.EmbeddingRuntime;
import io.poisk.engine.Engine;
import io.poisk.engine.Inference;
import io.poisk.engine.PoiskEngine;
import io.poisk.engine.RerankRuntime;
import io.poisk.models.ModelRegistry;
import io.poisk.models.RerankResult;
import io.poisk.models.RerankerCard;
import io.poisk.server.ClusterView;
import io.poisk.server.ServerRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.poisk.kafka.KafkaBroker;
import io.poisk.server.PoiskServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sharded, replicated collections in one JVM: a real Kafka broker and three clustered servers on loopback, with
 * vectors given (no model). Replica groups: node 0 → group 0, nodes 1 and 2 → group 1 (replica_group 1 and 3, mod 2),
 * so every shard has one copy on node 0 and one on node 1 or 2. Ingest on one node, search on another with the
 * ingest's offsets finds everything; GET by id anywhere; a delete propagates; GET /cluster shows two ready copies of
 * each shard. Closing node 2 moves its shards to node 1 (the failover is timed); with the broker stopped, closing a
 * node that holds the only copy of a replicas=1 collection's shards makes searches partial, naming them. A rerank runs
 * once on the coordinator over every shard's hits (a test reranker that needs no model).
 */
@Tag("cluster")
class ShardedCollectionsTest {
    private static final Logger LOG = LoggerFactory.getLogger(ShardedCollectionsTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DIM = 8;
    private static final int DOCS = 60;
    private static final long WAIT_MS = 60_000;
    private static final String RERANKER = "counting-reranker";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shardsReplicateFailOverAndNameWhatIsMissing(@TempDir Path tmp) throws Exception {
        Path noModels = Files.createDirectories(tmp.resolve("models"));
        Files.createDirectories(noModels.resolve(RERANKER));
        Files.writeString(noModels.resolve(RERANKER).resolve("model.onnx"), ""); // never loaded: the test inference scores
        Files.writeString(noModels.resolve(RERANKER).resolve("tokenizer.json"), "{}");
        Files.writeString(noModels.resolve(RERANKER).resolve("card.json"), "{\"id\":\"" + RERANKER + "\",\"kind\":\"cross_encoder\","
                + "\"artifact\":\"model.onnx\",\"engine\":\"onnx\",\"tokenizer\":\"tokenizer.json\",\"query_template\":\"{text}\","
                + "\"passage_template\":\"{text}\",\"instruction_template\":null,\"max_length\":64,\"dimension\":1}");
        KafkaBroker broker = KafkaBroker.start(tmp.resolve("kafka"), 0, 0);
        PoiskServer[] nodes = new PoiskServer[3];
        boolean brokerStopped = false;
        try {
            int[] hz = {freePort(), freePort(), freePort()};
            String members = "127.0.0.1:" + hz[0] + ",127.0.0.1:" + hz[1] + ",127.0.0.1:" + hz[2];
            int[] groups = {0, 1, 3};
            for (int i = 0; i < 3; i++) {
                Map<String, String> m = new HashMap<>(Map.of("port", "0", "host", "127.0.0.1", "data_dir", tmp.resolve("node" + i).toString(),
                        "models_dir", noModels.toString(), "index.workers", "2", "cluster.enabled", "true", "cluster.port", String.valueOf(hz[i]),
                        "cluster.members", members, "cluster.kafka.bootstrap", broker.bootstrap()));
                m.put("cluster.replica_group", String.valueOf(groups[i]));
                PoiskConfig config = PoiskConfig.defaults().with(m);
                nodes[i] = PoiskServer.start(config, withCountingReranker(ClusterServerRuntime.of(config)));
            }
            PoiskServer a = nodes[0], b = nodes[1], c = nodes[2];

            String docsSpec = "{\"model\":null,\"dimension\":8,\"similarity\":\"cosine\",\"shards\":3,\"replicas\":2,\"fields\":{\"n\":\"long\"}}";
            var created = send(a, "PUT", "/collections/docs", docsSpec);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(send(b, "PUT", "/collections/docs", docsSpec).statusCode()).isEqualTo(200);
            // checked as the index would before anything enters Kafka: a record there must apply on every replica
            var misfit = send(a, "POST", "/collections/docs/documents",
                    "{\"documents\":[{\"id\":\"x\",\"text\":\"t\",\"fields\":{\"n\":\"NaN\"},\"vector\":[1,0,0,0,0,0,0,0]}]}");
            assertThat(misfit.statusCode()).as(misfit.body()).isEqualTo(400);
            assertThat(misfit.body()).contains("invalid_document");
            var solo = send(a, "PUT", "/collections/solo", "{\"model\":null,\"dimension\":8,\"similarity\":\"cosine\",\"shards\":3,\"replicas\":1}");
            assertThat(solo.statusCode()).as(solo.body()).isEqualTo(201);
            var bad = send(a, "PUT", "/collections/bad", "{\"model\":null,\"dimension\":8,\"similarity\":\"cosine\",\"shards\":65}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("between 1 and 64");

            Map<String, float[]> vectors = vectors(DOCS);
            JsonNode ingested = json(send(a, "POST", "/collections/docs/documents", documents(vectors)));
            assertThat(ingested.get("indexed").asInt()).isEqualTo(DOCS);
            assertThat(ingested.get("offsets").size()).as("every shard got documents: %s", ingested).isEqualTo(3);
            assertThat(json(send(a, "POST", "/collections/solo/documents", documents(vectors))).get("indexed").asInt()).isEqualTo(DOCS);

            // Read-your-writes on another node: the ingest's offsets as "after".
            JsonNode page = search(b, "docs", vectors.get("d0"), ingested.get("offsets"));
            assertThat(page.get("partial").asBoolean()).as(page.toString()).isFalse();
            assertThat(page.at("/shards/answered").toString()).isEqualTo("[0,1,2]");
            assertThat(ids(page)).isEqualTo(vectors.keySet());
            assertThat(page.at("/hits/0/id").asText()).isEqualTo("d0");
            for (PoiskServer n : nodes) {
                JsonNode doc = json(send(n, "GET", "/collections/docs/documents/d7", null));
                assertThat(doc.get("text").asText()).isEqualTo("text of d7");
                assertThat(doc.at("/fields/n").asInt()).isEqualTo(7);
            }
            assertThat(send(c, "GET", "/collections/docs/documents/nope", null).statusCode()).isEqualTo(404);
            var patch = send(a, "PATCH", "/collections/docs/documents/d1", "{\"fields\":{\"n\":2}}");
            assertThat(patch.statusCode()).isEqualTo(400);
            assertThat(patch.body()).contains("not_supported_on_sharded_collection");
            assertThat(send(a, "GET", "/collections", null).body()).contains("\"docs\"").doesNotContain("docs-s0");

            // Same-run peer: the same documents in a plain collection of node A, searched from node A, against the sharded one.
            assertThat(send(a, "PUT", "/collections/plain", "{\"model\":null,\"dimension\":8,\"similarity\":\"cosine\"}").statusCode()).isEqualTo(201);
            assertThat(json(send(a, "POST", "/collections/plain/documents", documents(vectors))).has("offsets")).isFalse();
            LOG.info("search latency from node A, 40 searches each, k=100 (median/max ms): plain {}, sharded {}",
                    latency(a, "plain", vectors), latency(a, "docs", vectors));

            // NDJSON on another node: its reply carries the offsets too, and a search with them sees the documents.
            Map<String, float[]> streamed = new java.util.LinkedHashMap<>();
            vectors(DOCS + 3).entrySet().stream().skip(DOCS).forEach(e -> streamed.put(e.getKey(), e.getValue()));
            StringBuilder ndjson = new StringBuilder();
            for (JsonNode d : JSON.readTree(documents(streamed)).get("documents")) ndjson.append(d).append('\n');
            HttpResponse<String> streamedReply = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port()
                    + "/collections/docs/documents")).header("content-type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(ndjson.toString())).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode streamedAck = json(streamedReply);
            assertThat(streamedAck.get("indexed").asInt()).isEqualTo(3);
            assertThat(streamedAck.get("offsets").size()).as(streamedAck.toString()).isPositive();
            vectors.putAll(streamed);
            assertThat(ids(search(c, "docs", vectors.get("d61"), streamedAck.get("offsets")))).isEqualTo(vectors.keySet());

            // A delete on a third node propagates.
            JsonNode deleted = json(send(c, "DELETE", "/collections/docs/documents/d3", null));
            assertThat(deleted.get("deleted").asBoolean()).isTrue();
            assertThat(deleted.get("offsets").size()).as(deleted.toString()).isEqualTo(1);
            assertThat(ids(search(a, "docs", vectors.get("d3"), deleted.get("offsets")))).as("read-your-delete").doesNotContain("d3")
                    .hasSize(vectors.size() - 1);
            assertThat(send(c, "DELETE", "/collections/docs/documents/nope", null).statusCode()).isEqualTo(404);
            await("d3 gone on every node", () -> {
                for (PoiskServer n : nodes) if (send(n, "GET", "/collections/docs/documents/d3", null).statusCode() != 404) return false;
                return true;
            });
            Set<String> alive = new TreeSet<>(vectors.keySet());
            alive.remove("d3");
            // the count sums the shards' copies as they last published (about a second behind at most)
            await("GET /collections/docs counts every live document", () ->
                    json(send(b, "GET", "/collections/docs", null)).get("documents").asLong() == alive.size());

            // A rerank runs once on the coordinator over the merged hits of every shard (the test reranker scores "text of dN" as N).
            ObjectNode reranked = JSON.createObjectNode().put("query", "any").put("k", 5).put("return_text", false);
            ArrayNode rv = reranked.putArray("vector");
            for (float x : vectors.get("d0")) rv.add(x);
            reranked.putObject("rerank").put("model", RERANKER).put("top_n", 100);
            var rerankReply = send(a, "POST", "/collections/docs/search", reranked.toString());
            JsonNode rr = json(rerankReply);
            List<String> rerankedIds = new ArrayList<>();
            rr.get("hits").forEach(h -> rerankedIds.add(h.get("id").asText()));
            assertThat(rerankedIds).as(rr.toString()).containsExactly("d62", "d61", "d60", "d59", "d58");
            assertThat(rr.at("/hits/0/text").isMissingNode()).as("return_text false").isTrue();
            assertThat(rr.at("/hits/0/reranked").asBoolean()).isTrue();
            assertThat(rr.at("/rerank/model").asText()).isEqualTo(RERANKER);
            // every document was a candidate (d3's delete may not have reached the other copy of its shard yet)
            assertThat(rr.at("/rerank/top_n").asInt()).isBetween(alive.size(), alive.size() + 1);
            assertThat(rr.get("partial").asBoolean()).isFalse();

            // A default reranker at create, as on one node: a search with a query takes it, "rerank":false skips it, and
            // an unknown default is refused at create.
            var unknownDefault = send(a, "PUT", "/collections/misranked", "{\"model\":null,\"dimension\":8,\"similarity\":\"cosine\","
                    + "\"shards\":2,\"rerank\":{\"model\":\"nope\"}}");
            assertThat(unknownDefault.statusCode()).as(unknownDefault.body()).isEqualTo(400);
            assertThat(unknownDefault.body()).contains("rerank.model");
            assertThat(send(a, "PUT", "/collections/ranked", "{\"model\":null,\"dimension\":8,\"similarity\":\"cosine\",\"shards\":2,"
                    + "\"rerank\":{\"model\":\"" + RERANKER + "\",\"top_n\":100}}").statusCode()).isEqualTo(201);
            JsonNode rankedAck = json(send(b, "POST", "/collections/ranked/documents", documents(vectors)));
            search(c, "ranked", vectors.get("d0"), rankedAck.get("offsets")); // read-your-writes before the reranked searches
            ObjectNode byDefault = JSON.createObjectNode().put("query", "any").put("k", 3).put("timeout_ms", 10_000);
            ArrayNode dv = byDefault.putArray("vector");
            for (float x : vectors.get("d0")) dv.add(x);
            JsonNode defaulted = json(send(c, "POST", "/collections/ranked/search", byDefault.toString()));
            assertThat(defaulted.at("/rerank/model").asText()).as(defaulted.toString()).isEqualTo(RERANKER);
            assertThat(defaulted.at("/hits/0/id").asText()).isEqualTo("d" + (vectors.size() - 1));
            JsonNode skipped = json(send(c, "POST", "/collections/ranked/search", byDefault.put("rerank", false).toString()));
            assertThat(skipped.has("rerank") && !skipped.get("rerank").isNull()).as(skipped.toString()).isFalse();
            assertThat(skipped.at("/hits/0/id").asText()).isEqualTo("d0");

            // Every shard on two nodes, ready.
            await("each shard of docs ready on two nodes", () -> readyCopies(a, "docs", 2));
            LOG.info("placement: {}", json(send(a, "GET", "/cluster", null)).at("/collections"));

            // Node 2 leaves: Kafka moves its group-1 shards to node 1.
            String nodeC = json(send(c, "GET", "/cluster", null)).get("node").asText();
            long closing = System.nanoTime();
            c.close();
            nodes[2] = null;
            await("each shard of docs ready on two nodes after node 2 left", () -> !json(send(a, "GET", "/cluster", null))
                    .at("/collections/docs/placement").toString().contains(nodeC) && readyCopies(a, "docs", 2));
            long failoverMs = (System.nanoTime() - closing) / 1_000_000;
            LOG.info("failover (node closed -> every shard ready on two live nodes): {} ms", failoverMs);
            for (PoiskServer n : List.of(a, b)) {
                JsonNode p = search(n, "docs", vectors.get("d5"), null);
                assertThat(p.get("partial").asBoolean()).as(p.toString()).isFalse();
                assertThat(ids(p)).isEqualTo(alive);
            }
            await("solo's shards ready on one node each", () -> readyCopies(a, "solo", 1));

            // With Kafka stopped nothing can move: node 1's copies of solo have no other replica.
            JsonNode placement = json(send(a, "GET", "/cluster", null)).at("/collections/solo/placement");
            String nodeB = json(send(b, "GET", "/cluster", null)).get("node").asText();
            Set<Integer> onB = new TreeSet<>();
            for (JsonNode e : placement) if (e.get("node").asText().equals(nodeB)) onB.add(e.get("shard").asInt());
            assertThat(onB).as("node 1 holds some of solo's shards: %s", placement).isNotEmpty();
            broker.close();
            brokerStopped = true;
            b.close();
            nodes[1] = null;
            JsonNode partial = search(a, "solo", vectors.get("d0"), null);
            assertThat(partial.get("partial").asBoolean()).as(partial.toString()).isTrue();
            List<Integer> missing = new ArrayList<>();
            partial.at("/shards/missing").forEach(x -> missing.add(x.asInt()));
            assertThat(missing).isEqualTo(new ArrayList<>(onB));
            JsonNode full = search(a, "docs", vectors.get("d0"), null);
            assertThat(full.get("partial").asBoolean()).as("node 0 holds every shard of docs").isFalse();
        } finally {
            for (PoiskServer n : nodes) if (n != null) n.close();
            if (!brokerStopped) broker.close();
        }
    }

    /** {@code runtime} with a reranker {@value #RERANKER} that scores "text of dN" as N: no model needed. */
    private static ServerRuntime withCountingReranker(ServerRuntime runtime) {
        return new ServerRuntime() {
            @Override
            public Vertx vertx(PoiskConfig config, VertxOptions options, MeterRegistry registry) {
                return runtime.vertx(config, options, registry);
            }

            @Override
            public Inference inference(Vertx vertx, PoiskConfig config, MeterRegistry registry) {
                Inference real = runtime.inference(vertx, config, registry);
                return new Inference() {
                    @Override
                    public EmbeddingRuntime embedding(ModelRegistry models, String modelId) {
                        return real.embedding(models, modelId);
                    }

                    @Override
                    public RerankRuntime rerank(ModelRegistry models, String modelId) {
                        RerankerCard card = (RerankerCard) models.card(modelId);
                        return new RerankRuntime() {
                            @Override
                            public RerankerCard card() {
                                return card;
                            }

                            @Override
                            public CompletableFuture<RerankResult> rerank(String query, String instruction, List<String> documents, Duration budget) {
                                float[] scores = new float[documents.size()];
                                boolean[] scored = new boolean[documents.size()];
                                for (int i = 0; i < scores.length; i++) {
                                    scores[i] = Integer.parseInt(documents.get(i).substring("text of d".length()));
                                    scored[i] = true;
                                }
                                int[] order = java.util.stream.IntStream.range(0, scores.length).boxed()
                                        .sorted((x, y) -> Float.compare(scores[y], scores[x])).mapToInt(Integer::intValue).toArray();
                                return CompletableFuture.completedFuture(new RerankResult(order, scores, scored, true));
                            }

                            @Override
                            public void close() {
                            }
                        };
                    }

                    @Override
                    public Map<String, Object> stats() {
                        return real.stats();
                    }
                };
            }

            @Override
            public ClusterView cluster(Vertx vertx, PoiskConfig config) {
                return runtime.cluster(vertx, config);
            }

            @Override
            public Engine engine(PoiskEngine local, Vertx vertx, PoiskConfig config) {
                return runtime.engine(local, vertx, config);
            }
        };
    }

    private String latency(PoiskServer node, String collection, Map<String, float[]> vectors) throws Exception {
        List<float[]> queries = new ArrayList<>(vectors.values());
        long[] ms = new long[40];
        for (int i = 0; i < ms.length; i++) {
            long t = System.nanoTime();
            search(node, collection, queries.get(i % queries.size()), null);
            ms[i] = (System.nanoTime() - t) / 1_000_000;
        }
        java.util.Arrays.sort(ms);
        return ms[ms.length / 2] + "/" + ms[ms.length - 1];
    }

    private boolean readyCopies(PoiskServer node, String collection, int copies) throws Exception {
        JsonNode placement = json(send(node, "GET", "/cluster", null)).at("/collections/" + collection + "/placement");
        Map<Integer, Set<String>> ready = new HashMap<>();
        for (JsonNode e : placement) {
            if (e.get("state").asText().equals("ready")) ready.computeIfAbsent(e.get("shard").asInt(), k -> new HashSet<>()).add(e.get("node").asText());
        }
        for (int k = 0; k < 3; k++) if (ready.getOrDefault(k, Set.of()).size() != copies) return false;
        return true;
    }

    private JsonNode search(PoiskServer node, String collection, float[] vector, JsonNode after) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("k", 100).put("timeout_ms", 10_000);
        ArrayNode v = body.putArray("vector");
        for (float x : vector) v.add(x);
        if (after != null) body.set("after", after);
        var response = send(node, "POST", "/collections/" + collection + "/search", body.toString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static Set<String> ids(JsonNode page) {
        Set<String> ids = new TreeSet<>();
        page.get("hits").forEach(h -> ids.add(h.get("id").asText()));
        return ids;
    }

    private static Map<String, float[]> vectors(int n) {
        Random random = new Random(7);
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[DIM];
            for (int j = 0; j < DIM; j++) v[j] = random.nextFloat() * 2 - 1;
            out.put("d" + i, v);
        }
        return out;
    }

    private static String documents(Map<String, float[]> vectors) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode docs = body.putArray("documents");
        vectors.forEach((id, vector) -> {
            ObjectNode d = docs.addObject().put("id", id).put("text", "text of " + id);
            d.putObject("fields").put("n", Integer.parseInt(id.substring(1)));
            ArrayNode v = d.putArray("vector");
            for (float x : vector) v.add(x);
        });
        return body.toString();
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> send(PoiskServer node, String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).timeout(Duration.ofSeconds(30));
        if (body != null) r.header("content-type", "application/json");
        r.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + WAIT_MS + " ms: " + what);
            Thread.sleep(100);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
