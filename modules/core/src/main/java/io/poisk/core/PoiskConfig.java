package io.poisk.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every configuration key of Poisk with its default. Values come from, in increasing priority:
 * the defaults below, a JSON file (flat dotted keys or nested objects), and environment variables
 * named {@code POISK_} + the key upper-cased with dots as underscores
 * (e.g. {@code embedding.max_batch} → {@code POISK_EMBEDDING_MAX_BATCH}).
 * The README documents each key; {@link #DEFAULTS} is the single source of truth.
 */
public final class PoiskConfig {

    /** Key → default value and a one-line description, in README order. */
    public static final Map<String, Key> DEFAULTS = new LinkedHashMap<>();

    public record Key(String name, String defaultValue, String description) {
    }

    private static void key(String name, String def, String description) {
        DEFAULTS.put(name, new Key(name, def, description));
    }

    static {
        key("port", "8080", "HTTP port");
        key("host", "127.0.0.1", "interface the HTTP server binds; a non-loopback one needs auth.admin_key (or auth.insecure=true)");
        key("data_dir", "index-data", "data directory: collections, write-ahead logs, segments");
        key("models_dir", "index-data/models", "where model folders (weights + card.json) are found");
        key("default_model", "e5-small-v2", "model card id used when a collection names none");
        key("max_document_bytes", "1048576", "largest accepted document (text + fields, UTF-8 bytes)");
        key("max_request_bytes", "33554432", "largest accepted HTTP request body (a JSON body or one NDJSON stream)");
        key("max_documents_per_request", "10000", "largest JSON batch of documents");
        // Request decoding (one table, ApiLimits): bad input past these is a 400/413 naming the key.
        key("limits.json_max_depth", "64", "deepest nesting of JSON objects and arrays in a request");
        key("limits.json_max_number_length", "100", "longest JSON number literal (digits, sign, fraction, exponent)");
        key("limits.json_max_string_length", "1048576", "longest JSON string value, in characters");
        key("limits.json_max_name_length", "256", "longest JSON property name, in characters");
        key("limits.max_query_terms", "512", "most words in a search query (lexical and hybrid search run one clause per term)");
        key("limits.max_filter_clauses", "256", "most conditions (term, in, range, exists, not) in one search filter");
        // Connections: a client that holds one without sending a request costs a socket and memory.
        key("http.event_loops", "0", "event-loop threads serving HTTP, WebSocket and the event bus (0: two per core)");
        key("limits.max_connections", "4096", "open HTTP and WebSocket connections; further ones are closed at once");
        key("limits.idle_timeout_ms", "60000", "a kept-alive connection that sends no next request for this long is closed (0: never); time the server spends on a request never counts");
        key("limits.header_timeout_ms", "10000", "a request line and headers must arrive within this, else the connection is closed");
        key("limits.body_timeout_ms", "60000", "a JSON body must arrive within this (an NDJSON stream may pause this long), else 408");
        key("limits.request_timeout_ms", "30000", "a request's deadline when it asks for none (Request-Timeout header, timeout_ms): searches past it get 504, other routes 503");
        key("limits.max_request_timeout_ms", "120000", "the longest deadline a request may ask for; more is a 400");
        // 16: on a CPU each forward call holds at most 512 padded tokens (DjlEmbedder), so a larger batch no longer
        // costs more per text, and past capacity batches of 16 kept 18% more throughput than 2 (docs/benchmarks.md,
        // session 14). Session 6 had chosen 2 when a batch was one forward call and big ones collapsed under a queue.
        key("embedding.max_batch", "16", "most texts in one inference batch (on a CPU each forward call also holds at most 512 padded tokens, so a larger batch costs no more per text)");
        key("embedding.max_wait_ms", "2", "how long a partial batch waits for more texts");
        key("embedding.queue_capacity", "4096", "texts waiting for inference before requests get 429");
        // 2: a call on one thread never waits at an operator for a second thread that lost its core. On 2 cores the bare
        // model embedded 66-69 single queries/s that way against 47-53 with one call on both, and the server sustained
        // 43-48 searches/s under 1 s p99 against 33-40; a lone query takes ~10 ms longer (docs/benchmarks.md, session 15).
        key("embedding.workers", "2", "inference workers, each running whole batches at the same time; the cores are split among them (each forward call gets cores / workers intra-op threads)");
        key("embedding.engine", "auto", "auto (the card's engine), onnx or pytorch");
        key("embedding.query_cache_size", "10000", "query embeddings kept per server, keyed by model, instruction and exact text (0: no cache; documents are never cached)");
        key("index.live_segment_max_docs", "20000", "documents in the live segment before it is flushed to disk");
        key("index.graph_degree", "30", "JVector max graph degree: neighbours per node on the bottom layer, each stored with its PQ code; 30 keeps the index under 2x Lucene's (M 16) at the same queries/s for the same recall as 32 (docs/benchmarks.md, session 13)");
        key("index.construction_beam", "100", "JVector beam width while building");
        key("index.search_beam", "100", "candidates kept during graph search (raised to k when k is larger); beside PQ segments the live segment walks half of it");
        key("index.rescore_factor", "2", "on PQ segments the beam is at least k × this; the whole beam is rescored with full vectors");
        key("index.pq_min_vectors", "10000", "flushed segments at least this large use fused PQ for traversal");
        key("index.pq_subvector_dims", "8", "vector dimensions per one-byte PQ code of fused segments: the codes are most of the graph file (degree × dimension / this bytes per vector); 4 doubles them for a higher recall at a given beam, at about the same queries/s for the same recall (docs/benchmarks.md, session 13)");
        key("index.merge_max_segments", "4", "background merge starts when a collection has more on-disk segments than this");
        key("index.workers", "4", "threads for index reads and writes (disk work)");
        key("index.wal_group_commit_ms", "0", "extra time a log fsync waits to group more writers (0: fsync as soon as the previous one ends)");
        key("index.min_free_disk_bytes", "67108864", "writes get 507 insufficient_storage while a collection's disk has less free space than this (0: only a real full disk stops them)");
        key("limits.max_collections", "1000", "collections a data directory may hold (open or unavailable); more are refused with 409 too_many_collections (0: no cap)");
        key("limits.max_disk_bytes", "0", "bytes of collection files above which creates and writes are refused with 507 insufficient_storage (0: no cap)");
        key("limits.max_restore_bytes", "17179869184", "largest snapshot archive POST /collections/{name}/restore accepts (streamed to disk, separate from max_request_bytes), and the most it may unpack to");
        key("rerank.max_batch", "16", "most (query, document) pairs in one reranker forward pass");
        key("rerank.workers", "1", "reranker inference workers, running at the same time; the cores are split among them");
        key("rerank.queue_capacity", "2048", "documents waiting for reranking before requests get 429");
        key("rerank.budget_ms", "2000", "time budget of one rerank; documents not scored in time keep their first-stage order");
        key("rerank.default_top_n", "50", "first-stage hits reranked when a request names a reranker but no top_n");
        // Inference placement and cluster mode (cluster module): a serving node may leave inference to `poisk worker` nodes.
        key("inference.mode", "local", "local: embed and rerank in this process; remote: send batches over the clustered event bus to poisk worker nodes (needs cluster.enabled)");
        key("inference.device", "auto", "auto (a GPU when the engine sees one), cpu or gpu (fail the model load when no GPU is visible; needs the CUDA artifacts of the models pom's cuda profile)");
        key("inference.models", "", "comma-separated model card ids a poisk worker serves (empty: default_model)");
        key("inference.timeout_ms", "30000", "remote inference: the deadline of one embed or rerank request, retries included; past it the request fails with 503");
        key("inference.attempt_timeout_ms", "10000", "remote inference: a worker that has not answered within this is given up and the batch is sent to another");
        key("cluster.enabled", "false", "join a cluster: the Vert.x event bus is clustered over Hazelcast (TCP/IP join, no multicast)");
        key("cluster.host", "127.0.0.1", "interface this node's Hazelcast member and event bus bind and advertise");
        key("cluster.port", "5701", "this node's Hazelcast member port (the event bus takes a free port of its own)");
        key("cluster.members", "", "comma-separated host:port Hazelcast members to join (empty: this node only, others join it)");
        key("cluster.kafka.bootstrap", "", "comma-separated host:port Kafka bootstrap servers of the cluster's durable write log (empty: none; a single node never needs one); GET /cluster reports whether they answer");
        key("cluster.replica_group", "0", "the replica group of this node: it holds copies of sharded collections for group (this value mod the collection's replicas)");
        key("live.max_message_bytes", "16384", "largest WebSocket query message");
        key("live.max_in_flight", "4", "queries a WebSocket connection may have holding engine work; a newer keystroke waits for a slot");
        key("live.ping_interval_ms", "20000", "WebSocket ping interval; two missed pongs close the connection");
        // Access (server/auth): with no admin key and no stored key auth is off, which is only allowed on loopback.
        key("auth.admin_key", "", "admin API key (set it through POISK_AUTH_ADMIN_KEY); set, every route but /health*, /, /ui/* and /openapi.yaml needs a key");
        key("auth.insecure", "false", "true: serve a non-loopback host without any key (anyone who reaches the port may delete everything)");
        key("auth.rate_limit_per_second", "0", "requests per second each key may make (0: no limit; a key's own rate_limit wins)");
        key("auth.rate_limit_burst", "0", "requests a key may make at once above its rate (0: one second's worth)");
        key("http.cors_origins", "", "comma-separated origins (https://app.example.com) whose pages may call the API and open /ws/search");
        key("metrics.enabled", "true", "Vert.x HTTP/WebSocket/event-bus meters and the Prometheus registry behind GET /metrics (false: /metrics answers 404, /stats still works)");
        key("tls.cert_path", "", "PEM certificate chain; with tls.key_path the server speaks HTTPS only, and HTTP/2 to clients that ask for it (ALPN)");
        key("tls.key_path", "", "PEM private key (PKCS#8 or PKCS#1) of tls.cert_path");
        key("log.format", "text", "text or json: the format of the server log and the access log (json: one object per line, Logback's JsonEncoder)");
        key("log.access", "true", "one line per HTTP request on the logger poisk.access: method, path without query, status, bytes, duration, request id");
    }

    private final Map<String, String> values;

    private PoiskConfig(Map<String, String> values) {
        this.values = values;
    }

    public static PoiskConfig defaults() {
        return load(null, Map.of(), Map.of());
    }

    /**
     * @param file      JSON file, or null
     * @param env       environment (System.getenv())
     * @param overrides highest-priority values (e.g. command-line flags), keyed like DEFAULTS
     */
    public static PoiskConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>();
        DEFAULTS.forEach((k, key) -> v.put(k, key.defaultValue()));
        if (file != null) {
            try {
                JsonNode root = new ObjectMapper().readTree(Files.readString(file));
                if (root == null || !root.isObject()) throw PoiskException.badRequest("config file " + file + " must hold a JSON object");
                flatten("", root, v, file);
            } catch (IOException e) {
                throw new PoiskException(ErrorCode.BAD_REQUEST, "cannot read config file " + file + ": " + e.getMessage(), e);
            }
        }
        for (String k : DEFAULTS.keySet()) {
            String envName = envName(k);
            if (env.containsKey(envName)) v.put(k, env.get(envName));
        }
        overrides.forEach((k, val) -> {
            if (!DEFAULTS.containsKey(k)) throw PoiskException.badRequest(unknownKey(k));
            v.put(k, val);
        });
        RENAMED.forEach((old, now) -> {
            if (env.containsKey(envName(old))) {
                throw PoiskException.badRequest("environment variable " + envName(old) + " was renamed to " + envName(now));
            }
        });
        PoiskConfig cfg = new PoiskConfig(v);
        DEFAULTS.keySet().forEach(cfg::validate);
        return cfg;
    }

    /** Keys that were renamed: a configuration still naming the old one is told the new name instead of a bare "unknown". */
    private static final Map<String, String> RENAMED = Map.of("index.rerank_factor", "index.rescore_factor");

    private static String unknownKey(String key) {
        String now = RENAMED.get(key);
        return "unknown configuration key '" + key + "'" + (now == null ? "" : "; it was renamed to '" + now + "'");
    }

    public static String envName(String key) {
        return "POISK_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            var e = it.next();
            String k = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(k, e.getValue(), out, file);
            } else {
                if (!DEFAULTS.containsKey(k)) {
                    throw PoiskException.badRequest(unknownKey(k) + " in " + file + (RENAMED.containsKey(k) ? ""
                            : "; known keys: " + String.join(", ", DEFAULTS.keySet())));
                }
                out.put(k, e.getValue().asText());
            }
        }
    }

    private void validate(String k) {
        String def = DEFAULTS.get(k).defaultValue();
        if (def.matches("-?\\d+")) {
            try {
                long n = Long.parseLong(values.get(k));
                if (n < 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw PoiskException.badRequest("configuration key '" + k + "' must be a non-negative integer, got '" + values.get(k) + "'");
            }
        }
    }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) throw new IllegalArgumentException("unknown configuration key " + key);
        return v;
    }

    public int integer(String key) {
        return Math.toIntExact(Long.parseLong(string(key)));
    }

    public long longValue(String key) {
        return Long.parseLong(string(key));
    }

    public Path path(String key) {
        return Path.of(string(key));
    }

    public Map<String, String> asMap() {
        return Map.copyOf(values);
    }

    /** A copy with some keys replaced (used by tests and the command line). */
    public PoiskConfig with(Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>(values);
        overrides.forEach((k, val) -> {
            if (!DEFAULTS.containsKey(k)) throw new IllegalArgumentException("unknown configuration key " + k);
            v.put(k, val);
        });
        return new PoiskConfig(v);
    }
}
