package io.poisk.engine;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.poisk.core.CollectionName;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.index.VersionedFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The API keys created through {@code POST /keys}, kept in {@code <data_dir>/keys.json}. Only the SHA-256 of a key
 * is stored: the secret is shown once, when it is created. Lookups read an immutable snapshot (no lock, safe on an
 * event loop); creating and revoking write the file (blocking: call them off the event loop) and then swap the
 * snapshot, so a revoked key is refused by the next request.
 */
public final class ApiKeyStore {
    public static final String FILE = "keys.json";
    /** Every key starts with this, so a leaked one is recognisable (secret scanners, logs). */
    public static final String PREFIX = "pk_";
    private static final String KIND = "api keys";
    private static final int FORMAT = 1;
    private static final int SECRET_BYTES = 32; // 256 bits
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a key may do; each scope includes the ones before it. */
    public enum Scope {
        SEARCH, WRITE, ADMIN;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public boolean includes(Scope other) {
            return ordinal() >= other.ordinal();
        }

        public static Scope parse(String s) {
            for (Scope scope : values()) if (scope.wire().equals(s)) return scope;
            throw PoiskException.badRequest("'scope' must be one of search, write, admin; got '" + s + "'");
        }
    }

    /**
     * One stored key (never the secret). Empty {@code collections}: all of them; empty {@code origins}: any page;
     * {@code rateLimit} null: the configured default.
     */
    public record ApiKey(String id, String sha256, Scope scope, List<String> collections, List<String> origins,
                         Double rateLimit, String created) {
        public boolean coversAllCollections() {
            return collections.isEmpty();
        }

        /** The listing of {@code GET /keys}: everything but the hash. */
        public Map<String, Object> describe() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("scope", scope.wire());
            m.put("collections", collections);
            m.put("origins", origins);
            if (rateLimit != null) m.put("rate_limit", rateLimit);
            m.put("created", created);
            return m;
        }
    }

    /** A new key and its secret, which exists nowhere else once this is answered. */
    public record Created(ApiKey key, String secret) {
    }

    /** The file's body: the keys, each as stored. */
    private record KeyFile(List<StoredKey> keys) {
    }

    private record StoredKey(String id, String sha256, String scope, List<String> collections, List<String> origins,
                             Double rate_limit, String created) {
    }

    /**
     * Where this store's changes also go (cluster mode: a topic every node follows, so that a key made on one node works
     * on all of them); the changes made on other nodes come back through {@link #applyStored} and {@link #applyRevoked}.
     */
    public interface Replication {
        /** Makes {@code key} known cluster-wide, durably, before its secret is shown. Blocking. */
        void stored(ApiKey key);

        /** Revokes {@code key} cluster-wide, durably. Blocking. */
        void revoked(ApiKey key);
    }

    private final Path file;
    /** sha256 hex → key; replaced as a whole on every change. */
    private volatile Map<String, ApiKey> byHash;
    private volatile Replication replication;

    private ApiKeyStore(Path file, Map<String, ApiKey> byHash) {
        this.file = file;
        this.byHash = byHash;
    }

    /** Opens the store of a data directory; a missing file is an empty store, a damaged one is refused. */
    public static ApiKeyStore open(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        Map<String, ApiKey> keys = new LinkedHashMap<>();
        if (Files.exists(file)) {
            try {
                ObjectNode body = VersionedFiles.read(file, KIND, FORMAT, FORMAT);
                KeyFile stored = JSON.convertValue(body, new TypeReference<>() {
                });
                for (StoredKey k : stored.keys() == null ? List.<StoredKey>of() : stored.keys()) keys.put(k.sha256(), key(k));
            } catch (IOException | IllegalArgumentException e) {
                throw new PoiskException(ErrorCode.INTERNAL, "cannot read the API keys in " + file + ": " + e.getMessage(), e);
            }
        }
        return new ApiKeyStore(file, Map.copyOf(keys));
    }

    /** The key a secret belongs to, if it is stored and not revoked. */
    public Optional<ApiKey> find(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) return Optional.empty();
        return Optional.ofNullable(byHash.get(sha256(secret)));
    }

    public boolean isEmpty() {
        return byHash.isEmpty();
    }

    public List<ApiKey> list() {
        return byHash.values().stream().sorted(java.util.Comparator.comparing(ApiKey::created).thenComparing(ApiKey::id)).toList();
    }

    /** Creates a key and stores its hash durably before returning the secret. Blocking. */
    public synchronized Created create(Scope scope, List<String> collections, List<String> origins, Double rateLimit) {
        collections.forEach(CollectionName::validate);
        if (rateLimit != null && (!(rateLimit > 0) || rateLimit.isInfinite())) {
            throw PoiskException.badRequest("'rate_limit' must be a positive number of requests per second; got " + rateLimit);
        }
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random(SECRET_BYTES));
        String id = "key_" + HexFormat.of().formatHex(random(8));
        ApiKey key = new ApiKey(id, sha256(secret), scope, List.copyOf(collections), List.copyOf(origins), rateLimit,
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        Replication r = replication;
        if (r != null) r.stored(key);
        Map<String, ApiKey> next = new LinkedHashMap<>(byHash);
        next.put(key.sha256(), key);
        save(next);
        return new Created(key, secret);
    }

    /** Revokes a key by id; false when no such key. Blocking. */
    public synchronized boolean revoke(String id) {
        Optional<ApiKey> key = byHash.values().stream().filter(k -> k.id().equals(id)).findFirst();
        if (key.isEmpty()) return false;
        Replication r = replication;
        if (r != null) r.revoked(key.get());
        Map<String, ApiKey> next = new LinkedHashMap<>(byHash);
        next.values().removeIf(k -> k.id().equals(id));
        save(next);
        return true;
    }

    /** From now on, every key made or revoked here is also sent to {@code replication}. */
    public void replicateTo(Replication replication) {
        this.replication = replication;
    }

    /** A key made on another node: kept here too (also in this node's file, so a restart knows it). Blocking. */
    public synchronized void applyStored(ApiKey key) {
        if (key.equals(byHash.get(key.sha256()))) return;
        Map<String, ApiKey> next = new LinkedHashMap<>(byHash);
        next.values().removeIf(k -> k.id().equals(key.id()));
        next.put(key.sha256(), key);
        save(next);
    }

    /** A key revoked on another node. Blocking. */
    public synchronized void applyRevoked(String id) {
        Map<String, ApiKey> next = new LinkedHashMap<>(byHash);
        if (next.values().removeIf(k -> k.id().equals(id))) save(next);
    }

    /** Replaces every key with {@code keys}: the cluster's table is the truth once this node joins it. Blocking. */
    public synchronized void replaceAll(Collection<ApiKey> keys) {
        Map<String, ApiKey> next = new LinkedHashMap<>();
        for (ApiKey k : keys) next.put(k.sha256(), k);
        if (!next.equals(byHash)) save(next);
    }

    /** A key as the cluster's table keeps it: the stored fields (never a secret), versioned. */
    public static byte[] toBytes(ApiKey k) {
        ObjectNode out = JSON.valueToTree(stored(k));
        out.put("format", FORMAT);
        try {
            return JSON.writeValueAsBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@link #toBytes}; a newer format than this node knows is refused (IllegalArgumentException). */
    public static ApiKey fromBytes(byte[] bytes) {
        try {
            ObjectNode in = (ObjectNode) JSON.readTree(bytes);
            int format = in.path("format").asInt(-1);
            if (format != FORMAT) throw new IllegalArgumentException("API key record format " + format + "; this node reads " + FORMAT);
            in.remove("format");
            return key(JSON.treeToValue(in, StoredKey.class));
        } catch (IOException e) {
            throw new IllegalArgumentException("not an API key record: " + e.getMessage(), e);
        }
    }

    private static StoredKey stored(ApiKey k) {
        return new StoredKey(k.id(), k.sha256(), k.scope().wire(), k.collections(), k.origins(), k.rateLimit(), k.created());
    }

    private static ApiKey key(StoredKey k) {
        return new ApiKey(k.id(), k.sha256(), Scope.parse(k.scope()), List.copyOf(k.collections()), List.copyOf(k.origins()),
                k.rate_limit(), k.created());
    }

    private void save(Map<String, ApiKey> next) {
        List<StoredKey> stored = new ArrayList<>();
        for (ApiKey k : next.values()) stored.add(stored(k));
        try {
            Files.createDirectories(file.getParent());
            VersionedFiles.write(file, KIND, FORMAT, new KeyFile(stored));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the API keys to " + file, e);
        }
        byHash = Map.copyOf(next);
    }

    /** Hex SHA-256 of a secret: what the file keeps and what a presented key is looked up by. */
    public static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
