package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

/** Aliases: their rules and errors, every surface taking an alias for a collection, and a restart keeping them. */
@Tag("model")
class AliasTest {
    @TempDir
    Path dataDir;

    @Test
    void rulesErrorsAndEverySurfaceThroughAnAlias() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            createWithDocs(api, "books-v1", "v1");
            createWithDocs(api, "books-v2", "v2");

            var created = api.put("/aliases/books", json(Map.of("collection", "books-v1")));
            assertThat(created.status()).as(created.raw()).isEqualTo(201);
            assertThat(created.body().path("alias").asText()).isEqualTo("books");
            assertThat(created.body().path("collection").asText()).isEqualTo("books-v1");
            assertThat(api.put("/aliases/books", json(Map.of("collection", "books-v1"))).status()).as("the same again").isEqualTo(200);
            assertThat(api.get("/aliases").body().path("aliases")).isEqualTo(ApiClient.JSON.valueToTree(Map.of("books", "books-v1")));
            assertThat(api.get("/aliases/books").body().path("collection").asText()).isEqualTo("books-v1");

            // Rules and errors.
            expectError(api.get("/aliases/nope"), 404, "alias_not_found", "'nope'");
            expectError(api.delete("/aliases/nope"), 404, "alias_not_found", "'nope'");
            expectError(api.put("/aliases/books-v2", json(Map.of("collection", "books-v1"))), 409, "alias_conflict", "a collection named 'books-v2'");
            expectError(api.put("/collections/books", null), 409, "alias_conflict", "is an alias of collection 'books-v1'");
            expectError(api.put("/aliases/other", json(Map.of("collection", "missing"))), 404, "collection_not_found", "'missing' does not exist");
            expectError(api.put("/aliases/other", json(Map.of("collection", "books"))), 404, "collection_not_found", "is an alias");
            expectError(api.put("/aliases/Bad", json(Map.of("collection", "books-v1"))), 400, "invalid_name", "[a-z0-9]");
            expectError(api.put("/aliases/other", json(Map.of("collection", "Bad!"))), 400, "invalid_name", "[a-z0-9]");
            expectError(api.put("/aliases/other", "{}"), 400, "bad_request", "'collection'");
            expectError(api.put("/aliases/other", "{\"collection\":7}"), 400, "bad_request", "'collection' must be");
            expectError(api.put("/aliases/other", "{\"collection\":\"books-v1\",\"x\":1}"), 400, "bad_request", "unknown property 'x'");
            expectError(api.put("/aliases/other", "{\"collection\":"), 400, "invalid_json", "");
            expectError(api.send("PUT", "/aliases/other", "text/plain", "books-v1"), 415, "unsupported_media_type", "application/json");
            expectError(api.delete("/collections/books-v1"), 409, "alias_conflict", "[books]");
            expectError(api.delete("/collections/books"), 409, "alias_conflict", "DELETE /aliases/books");
            expectError(api.send("POST", "/aliases/books", "application/json", "{}"), 405, "method_not_allowed", "GET, PUT, DELETE");
            assertThat(api.get("/aliases").body().path("aliases").size()).as("no refused change left anything").isEqualTo(1);

            // Every surface takes the alias.
            assertThat(searchIds(api, "books")).isNotEmpty().allMatch(id -> id.startsWith("v1-"));
            assertThat(api.get("/collections/books").body().path("name").asText()).as("describe names the collection").isEqualTo("books-v1");
            assertThat(api.get("/collections/books/documents/v1-3").body().path("text").asText()).startsWith("v1 note 3");
            assertThat(api.post("/collections/books/documents", json(Map.of("documents",
                    List.of(HttpApiTest.doc("added", "added through the alias", Map.of()))))).status()).isEqualTo(200);
            assertThat(api.get("/collections/books-v1/documents/added").status()).as("written to the alias's collection").isEqualTo(200);
            assertThat(api.post("/collections/books/documents", "application/x-ndjson", java.net.http.HttpRequest.BodyPublishers.ofString(
                    "{\"id\":\"streamed\",\"text\":\"streamed through the alias\"}\n")).status()).isEqualTo(200);
            assertThat(api.get("/collections/books-v1/documents/streamed").status()).isEqualTo(200);
            assertThat(api.delete("/collections/books/documents/added").status()).isEqualTo(200);
            assertThat(api.get("/collections/books-v1/documents/added").status()).isEqualTo(404);
            assertThat(api.get("/collections/books/quarantine").body().path("collection").asText()).isEqualTo("books-v1");
            var sse = api.get("/collections/books/search/stream?query=" + URLEncoder.encode("garden note", StandardCharsets.UTF_8));
            assertThat(sse.status()).isEqualTo(200);
            assertThat(sse.raw()).contains("event: final").contains("\"v1-").doesNotContain("\"v2-");
            try (LiveSearchClient ws = new LiveSearchClient(server.port())) {
                ws.send(json(Map.of("id", 1, "collection", "books", "query", "garden note", "k", 5)));
                JsonNode fin = ws.await(LiveSearchClient.id(1, "final"), 60_000);
                assertThat(fin.path("hits").size()).isPositive();
                fin.path("hits").forEach(h -> assertThat(h.path("id").asText()).startsWith("v1-"));
            }
            JsonObject busReply = busSearch(server, new JsonObject().put("collection", "books").put("query", "garden note").put("k", 5));
            assertThat(busReply.getJsonArray("hits")).isNotEmpty();
            busReply.getJsonArray("hits").forEach(h -> assertThat(((JsonObject) h).getString("id")).startsWith("v1-"));

            // Re-pointing is one step; then the alias answers from the other collection.
            var repointed = api.put("/aliases/books", json(Map.of("collection", "books-v2")));
            assertThat(repointed.status()).as(repointed.raw()).isEqualTo(200);
            assertThat(searchIds(api, "books")).isNotEmpty().allMatch(id -> id.startsWith("v2-"));

            // Deleting the alias frees its collection for deletion and its name for a collection.
            expectError(api.delete("/collections/books-v2"), 409, "alias_conflict", "[books]");
            assertThat(api.delete("/collections/books-v1").status()).as("no alias points there any more").isEqualTo(200);
            assertThat(api.delete("/aliases/books").status()).isEqualTo(200);
            expectError(api.get("/collections/books"), 404, "collection_not_found", "'books'");
            assertThat(api.put("/collections/books", null).status()).isEqualTo(201);
            assertThat(api.get("/aliases").body().path("aliases").size()).isZero();
        }
    }

    @Test
    void aliasesSurviveARestartAndADamagedFileIsConfinedToAliases() throws Exception {
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            createWithDocs(api, "kept", "k");
            assertThat(api.put("/aliases/current", json(Map.of("collection", "kept"))).status()).isEqualTo(201);
            assertThat(api.put("/aliases/gone", json(Map.of("collection", "kept"))).status()).isEqualTo(201);
            assertThat(api.delete("/aliases/gone").status()).isEqualTo(200);
        }
        String file = Files.readString(dataDir.resolve("aliases.json"));
        assertThat(ApiClient.parse(file).path("format").asInt()).as("the file says its format").isEqualTo(1);
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.get("/aliases").body().path("aliases")).isEqualTo(ApiClient.JSON.valueToTree(Map.of("current", "kept")));
            assertThat(searchIds(api, "current")).isNotEmpty().allMatch(id -> id.startsWith("k-"));
        }

        Files.writeString(dataDir.resolve("aliases.json"), "{\"format\":1,\"aliases\":{\"current\":");
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of()))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(searchIds(api, "kept")).as("collections serve by their names").isNotEmpty();
            expectError(api.get("/aliases"), 503, "unavailable", "aliases.json");
            expectError(api.post("/collections/current/search", json(Map.of("query", "note"))), 503, "unavailable", "aliases.json");
            expectError(api.put("/aliases/current", json(Map.of("collection", "kept"))), 503, "unavailable", "aliases.json");
        }
        assertThat(Files.readString(dataDir.resolve("aliases.json"))).as("a damaged file is never overwritten")
                .isEqualTo("{\"format\":1,\"aliases\":{\"current\":");
    }

    static void createWithDocs(ApiClient api, String collection, String prefix) {
        assertThat(api.put("/collections/" + collection, null).status()).isEqualTo(201);
        List<Map<String, Object>> docs = new ArrayList<>();
        String[] topics = {"garden tomatoes", "violin lessons", "marathon training", "roman history", "bicycle repair"};
        for (int i = 0; i < 20; i++) {
            docs.add(HttpApiTest.doc(prefix + "-" + i, prefix + " note " + i + " about " + topics[i % topics.length], Map.of("i", i)));
        }
        var r = api.post("/collections/" + collection + "/documents", json(Map.of("documents", docs)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
    }

    static List<String> searchIds(ApiClient api, String collection) {
        var r = api.post("/collections/" + collection + "/search", json(Map.of("query", "garden note", "k", 10)));
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.body().path("hits").forEach(h -> ids.add(h.path("id").asText()));
        return ids;
    }

    private static void expectError(ApiClient.Reply r, int status, String code, String messagePart) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.errorCode()).as(r.raw()).isEqualTo(code);
        assertThat(r.errorMessage()).as(r.raw()).contains(messagePart);
    }

    /** Asks poisk.search from a verticle of its own, as another service would. */
    private static JsonObject busSearch(PoiskServer server, JsonObject body) throws Exception {
        CompletableFuture<Message<Object>> reply = new CompletableFuture<>();
        VerticleBase asker = new VerticleBase() {
            @Override
            public Future<?> start() {
                vertx.eventBus().request("poisk.search", body).onComplete(ar -> {
                    if (ar.succeeded()) reply.complete(ar.result());
                    else reply.completeExceptionally(ar.cause());
                });
                return Future.succeededFuture();
            }
        };
        server.vertx().deployVerticle(asker).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return (JsonObject) reply.get(60, TimeUnit.SECONDS).body();
    }
}
