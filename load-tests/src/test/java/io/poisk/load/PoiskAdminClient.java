package io.poisk.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The few unmeasured calls a simulation makes around its load (set-up checks, warm-up, counting
 * what was indexed), over the public HTTP API with the JDK client so they never enter Gatling's stats.
 */
public final class PoiskAdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public PoiskAdminClient(URI base) {
        this.base = base;
    }

    /** PUT /collections/{name} with the default model; 201 (created) and 200 (already there) both succeed. */
    public void createCollection(String name) {
        JsonNode reply = send("PUT", "/collections/" + name, "{}", 200, 201);
        if (reply.path("dimension").asInt() <= 0) throw new IllegalStateException("collection " + name + " has no dimension: " + reply);
    }

    /** Document count from GET /collections/{name}; -1 if the collection does not exist. */
    public long documentCount(String name) {
        HttpResponse<String> r = exchange("GET", "/collections/" + name, null);
        if (r.statusCode() == 404) return -1;
        return parse(r, "GET /collections/" + name, 200).path("documents").asLong();
    }

    /** Fails unless the collection holds the whole XQuAD corpus, which the search simulations query. */
    public void requireCorpus(String name, int paragraphs) {
        long docs = documentCount(name);
        if (docs < paragraphs) {
            throw new IllegalStateException("collection '" + name + "' holds " + docs + " documents; load the "
                    + paragraphs + " XQuAD paragraphs first (run.sh does)");
        }
    }

    /** One search; returns the reply's {@code hits} array. */
    public JsonNode search(String collection, String query, int k) {
        return search(collection, query, k, "");
    }

    /** One search in {@code mode} (blank: the server's default); returns the reply's {@code hits} array. */
    public JsonNode search(String collection, String query, int k, String mode) {
        Map<String, Object> request = new java.util.LinkedHashMap<>(Map.of("query", query, "k", k));
        if (!mode.isBlank()) request.put("mode", mode);
        return send("POST", "/collections/" + collection + "/search", toJson(request), 200).path("hits");
    }

    /** The live-search counters, {@code GET /stats} → {@code live_search}. */
    public JsonNode liveStats() {
        return send("GET", "/stats", null, 200).path("live_search");
    }

    /** The query-embedding cache's counters, {@code GET /stats} → {@code query_embedding_cache}. */
    public JsonNode queryCacheStats() {
        return send("GET", "/stats", null, 200).path("query_embedding_cache");
    }

    /** {@code GET /metrics}: the Prometheus text exposition (404 when the server runs with metrics off). */
    public String metricsText() {
        HttpResponse<String> r = exchange("GET", "/metrics", null);
        if (r.statusCode() != 200) throw new IllegalStateException("GET /metrics returned " + r.statusCode() + ": " + r.body());
        return r.body();
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private JsonNode send(String method, String path, String body, int... accepted) {
        return parse(exchange(method, path, body), method + " " + path, accepted);
    }

    private HttpResponse<String> exchange(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT)
                .header("accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + base.resolve(path) + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }

    private static JsonNode parse(HttpResponse<String> r, String what, int... accepted) {
        for (int status : accepted) {
            if (r.statusCode() == status) {
                try {
                    return JSON.readTree(r.body());
                } catch (IOException e) {
                    throw new IllegalStateException(what + " returned invalid JSON: " + r.body(), e);
                }
            }
        }
        throw new IllegalStateException(what + " returned " + r.statusCode() + ": " + r.body());
    }
}
