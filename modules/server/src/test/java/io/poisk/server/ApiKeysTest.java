package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.poisk.core.PoiskException;
import io.poisk.engine.ApiKeyStore;
import io.poisk.server.bus.EventBusApiVerticle;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys over their life (create, use, revoke, restart), how they are stored, and the limits around them. */
class ApiKeysTest {
    static final String ADMIN = "pk_test-admin-0123456789abcdefghij";
    @TempDir
    Path dir;

    static ApiClient.Reply as(ApiClient api, String key, String method, String path, String body) {
        HttpRequest.Builder b = api.request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (key != null) b.header("Authorization", "Bearer " + key);
        return api.send(b.build());
    }

    static HttpResponse<String> raw(int port, String method, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void revokedAtOnceStoredHashedKeptAcrossRestarts() throws Exception {
        String secret;
        String id;
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of("auth.admin_key", ADMIN)))) {
            ApiClient api = new ApiClient(server.port());
            ApiClient.Reply created = as(api, ADMIN, "POST", "/keys", "{\"scope\":\"write\",\"collections\":[\"docs\"]}");
            assertThat(created.status()).isEqualTo(201);
            secret = created.body().path("key").asText();
            id = created.body().path("id").asText();
            assertThat(secret).startsWith("pk_").hasSizeGreaterThanOrEqualTo(3 + 43); // 256 bits, base64url
            JsonNode listed = as(api, ADMIN, "GET", "/keys", null).body();
            assertThat(listed.toString()).contains(id).doesNotContain(secret);
            assertThat(as(api, secret, "GET", "/collections", null).status()).isEqualTo(200);

            // The file holds the hash, never the key, and says its format.
            String file = Files.readString(dir.resolve(ApiKeyStore.FILE));
            assertThat(file).doesNotContain(secret).contains(ApiKeyStore.sha256(secret)).contains("\"format\"");
            assertThat(file).doesNotContain(ADMIN);
        }
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of("auth.admin_key", ADMIN)))) {
            ApiClient api = new ApiClient(server.port());
            // No collection exists, so the restart loads no model.
            assertThat(as(api, secret, "GET", "/collections", null).status()).as("kept across a restart").isEqualTo(200);
            assertThat(as(api, ADMIN, "DELETE", "/keys/" + id, null).status()).isEqualTo(200);
            ApiClient.Reply after = as(api, secret, "GET", "/collections", null);
            assertThat(after.status()).as("the next request after the revocation").isEqualTo(401);
            assertThat(as(api, ADMIN, "DELETE", "/keys/" + id, null).errorCode()).isEqualTo("key_not_found");
        }
    }

    @Test
    void aStoredKeyAloneTurnsAuthOnAndBadKeyRequestsAreRefused() {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.get("/collections").status()).as("no key anywhere: auth off").isEqualTo(200);
            ApiClient.Reply admin = api.post("/keys", "{\"scope\":\"admin\"}");
            assertThat(admin.status()).isEqualTo(201);
            assertThat(api.get("/collections").status()).as("a key exists now").isEqualTo(401);
            String key = admin.body().path("key").asText();
            assertThat(as(api, key, "POST", "/keys", "{\"scope\":\"owner\"}").status()).isEqualTo(400);
            assertThat(as(api, key, "POST", "/keys", "{\"scope\":\"search\",\"origins\":[\"https://a.example/path\"]}").status()).isEqualTo(400);
            assertThat(as(api, key, "POST", "/keys", "{\"scope\":\"search\",\"collections\":[\"Bad Name\"]}").status()).isEqualTo(400);
            assertThat(as(api, key, "POST", "/keys", "{\"scope\":\"search\",\"rate_limit\":-1}").status()).isEqualTo(400);
            assertThat(as(api, key, "POST", "/keys", "{\"scope\":\"search\",\"owner\":1}").status()).isEqualTo(400);
            assertThat(as(api, key, "POST", "/keys", "[1]").status()).isEqualTo(400);
        }
    }

    @Test
    void streamedNdjsonReachesTheDecoderPastTheKeyChecks() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of("auth.admin_key", ADMIN)))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(as(api, ADMIN, "PUT", "/collections/docs", "{}").status()).isEqualTo(201);
            String write = as(api, ADMIN, "POST", "/keys", "{\"scope\":\"write\",\"collections\":[\"docs\"]}").body().path("key").asText();
            // The checks run before the stream is read; a body they dropped would not name its second line.
            String body = "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"text\":42}\n";
            ApiClient.Reply r = api.send(api.request("/collections/docs/documents").header("Authorization", "Bearer " + write)
                    .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(r.status()).as(r.raw()).isEqualTo(400);
            assertThat(r.errorMessage()).contains("line 2");
            ApiClient.Reply refused = api.send(api.request("/collections/docs/documents").header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
            assertThat(refused.status()).isEqualTo(401);
        }
    }

    @Test
    void metricsNeedTheAdminKeyAndCountRefusedKeys() {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of("auth.admin_key", ADMIN)))) {
            ApiClient api = new ApiClient(server.port());
            String search = as(api, ADMIN, "POST", "/keys", "{\"scope\":\"search\"}").body().path("key").asText();
            assertThat(as(api, null, "GET", "/metrics", null).status()).isEqualTo(401);
            assertThat(as(api, "pk_wrong", "GET", "/collections", null).status()).isEqualTo(401);
            assertThat(as(api, search, "GET", "/metrics", null).status()).isEqualTo(403);
            ApiClient.Reply metrics = as(api, ADMIN, "GET", "/metrics", null);
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.raw()).contains("poisk_auth_failures_total{reason=\"unauthorized\"} 2.0")
                    .contains("poisk_auth_failures_total{reason=\"forbidden\"} 1.0");
            assertThat(as(api, null, "GET", "/health/ready", null).status()).isIn(200, 503); // readiness needs no key
        }
    }

    @Test
    void refusesAnOpenInterfaceWithoutAKeyUnlessInsecure() {
        assertThatThrownBy(() -> PoiskServer.start(TestServers.config(dir, Map.of("host", "0.0.0.0"))))
                .isInstanceOf(PoiskException.class).hasMessageContaining("--insecure").hasMessageContaining("POISK_AUTH_ADMIN_KEY");
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of("host", "0.0.0.0", "auth.insecure", "true")))) {
            assertThat(server.port()).isPositive();
        }
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of("host", "0.0.0.0", "auth.admin_key", ADMIN)))) {
            assertThat(new ApiClient(server.port()).get("/collections").status()).isEqualTo(401);
        }
    }

    @Test
    void rateLimitAnswers429WithRetryAfter() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of("auth.admin_key", ADMIN)))) {
            ApiClient api = new ApiClient(server.port());
            String key = as(api, ADMIN, "POST", "/keys", "{\"scope\":\"search\",\"rate_limit\":1}").body().path("key").asText();
            HttpResponse<String> first = raw(server.port(), "GET", "/collections", Map.of("Authorization", "Bearer " + key));
            HttpResponse<String> second = raw(server.port(), "GET", "/collections", Map.of("Authorization", "Bearer " + key));
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(second.statusCode()).isEqualTo(429);
            assertThat(ApiClient.parse(second.body()).path("error").path("code").asText()).isEqualTo("rate_limited");
            assertThat(second.headers().firstValue("retry-after")).hasValue("1");
            // Other keys have their own budget; the configured default here is no limit.
            for (int i = 0; i < 5; i++) assertThat(as(api, ADMIN, "GET", "/collections", null).status()).isEqualTo(200);
            Thread.sleep(1100);
            assertThat(raw(server.port(), "GET", "/collections", Map.of("Authorization", "Bearer " + key)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void corsPreflightFromTheAllowListOnlyAndKeyOrigins() throws Exception {
        Map<String, String> cfg = Map.of("auth.admin_key", ADMIN, "http.cors_origins", "https://app.example, https://other.example");
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, cfg))) {
            int port = server.port();
            HttpResponse<String> allowed = raw(port, "OPTIONS", "/collections/docs/search", Map.of("Origin", "https://app.example",
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type"));
            assertThat(allowed.statusCode()).isEqualTo(204);
            assertThat(allowed.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
            HttpResponse<String> refused = raw(port, "OPTIONS", "/collections/docs/search", Map.of("Origin", "https://evil.example",
                    "Access-Control-Request-Method", "POST"));
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.headers().firstValue("access-control-allow-origin")).isEmpty();

            // A key made for one page is refused when another (allowed) site's page sends it.
            ApiClient api = new ApiClient(port);
            assertThat(as(api, ADMIN, "PUT", "/collections/docs", "{}").status()).isEqualTo(201);
            String key = as(api, ADMIN, "POST", "/keys", "{\"scope\":\"search\",\"origins\":[\"https://app.example\"]}")
                    .body().path("key").asText();
            Map<String, String> fromApp = Map.of("Authorization", "Bearer " + key, "Origin", "https://app.example");
            Map<String, String> fromOther = Map.of("Authorization", "Bearer " + key, "Origin", "https://other.example");
            assertThat(raw(port, "GET", "/collections/docs", fromApp).statusCode()).isEqualTo(200);
            HttpResponse<String> other = raw(port, "GET", "/collections/docs", fromOther);
            assertThat(other.statusCode()).isEqualTo(403);
            assertThat(other.body()).contains("forbidden").contains("https://app.example");
            assertThat(raw(port, "GET", "/collections/docs", Map.of("Authorization", "Bearer " + key)).statusCode())
                    .as("no Origin: not a browser page").isEqualTo(200);
        }
    }

    @Test
    void pageCarriesSecurityHeadersAndNeedsNoKey() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of("auth.admin_key", ADMIN)))) {
            for (String path : new String[] {"/", "/ui/app.js"}) {
                HttpResponse<String> page = raw(server.port(), "GET", path, Map.of());
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(v ->
                        assertThat(v).contains("default-src 'self'").contains("frame-ancestors 'none'"));
                assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
                assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
                assertThat(page.headers().firstValue("referrer-policy")).hasValue("no-referrer");
            }
            assertThat(raw(server.port(), "GET", "/health", Map.of()).statusCode()).isEqualTo(200);
            assertThat(raw(server.port(), "GET", "/openapi.yaml", Map.of()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void eventBusNeedsAKeyInTheHeaderWhenAuthIsOn() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dir, Map.of("auth.admin_key", ADMIN)))) {
            var bus = server.vertx().eventBus();
            JsonObject list = new JsonObject().put("action", "list");
            assertThatThrownBy(() -> bus.request(EventBusApiVerticle.COLLECTIONS, list).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ReplyException.class)
                    .satisfies(e -> assertThat(((ReplyException) e.getCause()).failureCode()).isEqualTo(401));
            DeliveryOptions wrong = new DeliveryOptions().addHeader("authorization", "Bearer pk_nope");
            assertThatThrownBy(() -> bus.request(EventBusApiVerticle.COLLECTIONS, list, wrong).toCompletionStage()
                    .toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .satisfies(e -> assertThat(((ReplyException) e.getCause()).failureCode()).isEqualTo(401));
            for (String proof : new String[] {"Bearer " + ADMIN, server.internalKey()}) {
                var reply = bus.request(EventBusApiVerticle.COLLECTIONS, list, new DeliveryOptions().addHeader("authorization", proof))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(reply.headers().get("status")).isEqualTo("200");
            }
            ApiClient api = new ApiClient(server.port());
            String search = as(api, ADMIN, "POST", "/keys", "{\"scope\":\"search\"}").body().path("key").asText();
            JsonObject ingest = new JsonObject().put("collection", "docs").put("documents",
                    new io.vertx.core.json.JsonArray().add(new JsonObject().put("id", "1").put("text", "x")));
            assertThatThrownBy(() -> bus.request(EventBusApiVerticle.INGEST, ingest, new DeliveryOptions()
                    .addHeader("authorization", "Bearer " + search)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .satisfies(e -> {
                        ReplyException r = (ReplyException) e.getCause();
                        assertThat(r.failureCode()).isEqualTo(403);
                        assertThat(r.getMessage()).contains("forbidden");
                    });
        }
    }
}
