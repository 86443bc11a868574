package io.poisk.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The scale benchmark's HTTP client of one model-less collection: creates it, streams vectors into it as NDJSON
 * from several connections, reads its description, and times single-client vector searches. Document i has id
 * {@code "i"}, so a hit's id is its row in the vector set.
 */
final class HttpVectors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Function<String, URI> uri;
    private final String collection;
    /** Requests refused for load and sent again (see {@link #ingest}). */
    final AtomicInteger retries = new AtomicInteger();

    HttpVectors(Function<String, URI> uri, String collection) {
        this.uri = uri;
        this.collection = collection;
    }

    void create(int dimension) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(uri.apply("/collections/" + collection)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"model\": null, \"dimension\": " + dimension
                        + ", \"similarity\": \"cosine\"}")), 201);
    }

    /** {@code GET /collections/{name}}: documents, segments, live_documents and the rest, as the server reports them. */
    JsonNode describe() throws IOException, InterruptedException {
        return JSON.readTree(send(HttpRequest.newBuilder(uri.apply("/collections/" + collection)).GET(), 200));
    }

    /** What the collection's meters say about its segments: enough to tell when flushes and merges have settled. */
    record Maintenance(long documents, long segments, long liveDocuments, long flushes, long merges) {
    }

    /** The collection's rows of {@code GET /metrics} (poisk_collection_*). */
    Maintenance maintenance() throws IOException, InterruptedException {
        String text = send(HttpRequest.newBuilder(uri.apply("/metrics")).GET(), 200);
        String tag = "collection=\"" + collection + "\"";
        long[] v = new long[5];
        String[] names = {"poisk_collection_documents{", "poisk_collection_segments{", "poisk_collection_live_documents{",
                "poisk_collection_flushes_total{", "poisk_collection_merges_total{"};
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !line.contains(tag)) continue;
            for (int i = 0; i < names.length; i++) {
                if (line.startsWith(names[i])) v[i] = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return new Maintenance(v[0], v[1], v[2], v[3], v[4]);
    }

    /** Back-off after a 429 or 503 before the rest of a block is sent again; the server's queue needs this long to drain. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(2);
    /** How long one block may keep being refused before the run gives up. */
    private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(30);

    /**
     * Posts rows {@code [0, n)} of {@code vectors} as NDJSON requests of {@code perRequest} documents from {@code streams}
     * connections at once (each takes the next unsent block), and checks every reply's {@code indexed} count. A request
     * refused for load (429 while a flush is behind, 503) is sent again from the first line its reply says was not
     * indexed, after a pause, as a client honouring back-pressure does; {@link #retries} counts them.
     */
    void ingest(float[][] vectors, int n, int perRequest, int streams) throws Exception {
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(streams)) {
            List<Future<Long>> done = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                done.add(pool.submit(() -> {
                    long sent = 0;
                    for (int start; (start = next.getAndAdd(perRequest)) < n; ) {
                        int to = Math.min(n, start + perRequest);
                        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
                        for (int from = start; from < to; ) {
                            HttpRequest r = HttpRequest.newBuilder(uri.apply("/collections/" + collection + "/documents"))
                                    .header("Content-Type", "application/x-ndjson").timeout(Duration.ofMinutes(10))
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(ndjson(vectors, from, to))).build();
                            HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
                            int status = response.statusCode();
                            long indexed = JSON.readTree(response.body()).path("indexed").asLong(-1);
                            boolean refusedForLoad = status == 429 || status == 503;
                            if (status == 200 ? indexed != to - from : !refusedForLoad || indexed < 0 || System.nanoTime() > deadline) {
                                throw new IllegalStateException("rows " + from + "-" + to + ": " + status + " " + response.body());
                            }
                            from += (int) indexed;
                            sent += indexed;
                            if (status != 200) {
                                retries.incrementAndGet();
                                Thread.sleep(RETRY_AFTER.toMillis());
                            }
                        }
                    }
                    return sent;
                }));
            }
            long total = 0;
            for (Future<Long> f : done) total += f.get();
            if (total != n) throw new IllegalStateException("sent " + total + " of " + n);
        }
    }

    /** One line per row: {@code {"id":"i","vector":[...]}}. */
    static byte[] ndjson(float[][] vectors, int from, int to) {
        StringBuilder sb = new StringBuilder((to - from) * vectors[from].length * 13);
        for (int i = from; i < to; i++) {
            sb.append("{\"id\":\"").append(i).append("\",\"vector\":");
            vectorJson(sb, vectors[i]);
            sb.append("}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void vectorJson(StringBuilder sb, float[] v) {
        sb.append('[');
        for (int d = 0; d < v.length; d++) {
            if (d > 0) sb.append(',');
            sb.append(v[d]);
        }
        sb.append(']');
    }

    /**
     * Latencies in milliseconds of {@code count} dense searches (k hits, ids only) with the given vectors, one at a time
     * after {@code warmup} untimed ones; sorted ascending. The recall of the answers is returned in {@code recallOut[0]}.
     */
    double[] searchLatencies(float[][] queries, int[][] truth, int k, int warmup, int count, double[] recallOut)
            throws IOException, InterruptedException {
        double[] ms = new double[count];
        double recall = 0;
        for (int i = 0; i < warmup + count; i++) {
            int q = i % queries.length;
            StringBuilder body = new StringBuilder("{\"k\":").append(k).append(",\"return_text\":false,\"vector\":");
            vectorJson(body, queries[q]);
            body.append('}');
            long t0 = System.nanoTime();
            String reply = send(HttpRequest.newBuilder(uri.apply("/collections/" + collection + "/search"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())), 200);
            long nanos = System.nanoTime() - t0;
            if (i < warmup) continue;
            ms[i - warmup] = nanos / 1e6;
            JsonNode hits = JSON.readTree(reply).path("hits");
            int[] found = new int[hits.size()];
            for (int h = 0; h < found.length; h++) found[h] = Integer.parseInt(hits.get(h).path("id").asText());
            recall += ExactNeighbours.recall(truth[q], found, k);
        }
        recallOut[0] = recall / count;
        Arrays.sort(ms);
        return ms;
    }

    private String send(HttpRequest.Builder request, int expected) throws IOException, InterruptedException {
        HttpRequest r = request.build();
        HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(r.method() + " " + r.uri() + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}
