package io.poisk.server;

import io.poisk.server.bus.EventBusApiVerticle;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The event-bus API driven by a separate verticle, as another service in the same Vert.x instance would. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("model")
class EventBusApiTest {
    @TempDir
    static Path dataDir;
    PoiskServer server;
    final OtherService service = new OtherService();

    /** Another service: it only knows the addresses and JSON, and asks from its own context. */
    static final class OtherService extends VerticleBase {
        CompletableFuture<Message<Object>> ask(String address, JsonObject body) {
            CompletableFuture<Message<Object>> reply = new CompletableFuture<>();
            context.runOnContext(v -> vertx.eventBus().request(address, body).onComplete(ar -> {
                if (ar.succeeded()) reply.complete(ar.result());
                else reply.completeExceptionally(ar.cause());
            }));
            return reply;
        }

        @Override
        public Future<?> start() {
            return Future.succeededFuture();
        }
    }

    @BeforeAll
    void start() throws Exception {
        server = PoiskServer.start(TestServers.config(dataDir, Map.of()));
        server.vertx().deployVerticle(service).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    private Message<Object> ask(String address, JsonObject body) throws Exception {
        return service.ask(address, body).get(60, TimeUnit.SECONDS);
    }

    private ReplyException failure(String address, JsonObject body) {
        try {
            ask(address, body);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(ReplyException.class);
            return (ReplyException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a failed reply from " + address);
    }

    @Test
    void createIngestSearchAndListLikeHttp() throws Exception {
        Message<Object> created = ask(EventBusApiVerticle.COLLECTIONS, new JsonObject().put("action", "create").put("name", "bus"));
        assertThat(created.headers().get("status")).isEqualTo("201");
        assertThat(((JsonObject) created.body()).getString("model")).isEqualTo("e5-small-v2");
        assertThat(ask(EventBusApiVerticle.COLLECTIONS, new JsonObject().put("action", "create").put("name", "bus"))
                .headers().get("status")).isEqualTo("200");

        JsonArray docs = new JsonArray()
                .add(new JsonObject().put("id", "a").put("text", "Cats sleep most of the day."))
                .add(new JsonObject().put("id", "b").put("text", "Rockets launch satellites into orbit.").put("fields", new JsonObject().put("year", 1957)));
        Message<Object> indexed = ask(EventBusApiVerticle.INGEST, new JsonObject().put("collection", "bus").put("documents", docs));
        assertThat(((JsonObject) indexed.body()).getInteger("indexed")).isEqualTo(2);

        JsonObject found = (JsonObject) ask(EventBusApiVerticle.SEARCH,
                new JsonObject().put("collection", "bus").put("query", "space flight").put("k", 1)).body();
        assertThat(found.getJsonArray("hits")).hasSize(1);
        JsonObject hit = found.getJsonArray("hits").getJsonObject(0);
        assertThat(hit.getString("id")).isEqualTo("b");
        assertThat(hit.getJsonObject("fields").getInteger("year")).isEqualTo(1957);
        assertThat(found.containsKey("took_ms")).isTrue();

        JsonObject list = (JsonObject) ask(EventBusApiVerticle.COLLECTIONS, new JsonObject().put("action", "list")).body();
        assertThat(list.getJsonArray("collections").stream().map(c -> ((JsonObject) c).getString("name"))).contains("bus");
        JsonObject described = (JsonObject) ask(EventBusApiVerticle.COLLECTIONS, new JsonObject().put("action", "describe").put("name", "bus")).body();
        assertThat(described.getLong("documents")).isEqualTo(2);
        assertThat(((JsonObject) ask(EventBusApiVerticle.COLLECTIONS, new JsonObject().put("action", "delete").put("name", "bus")).body())
                .getBoolean("deleted")).isTrue();
    }

    @Test
    void typedFieldsFiltersAndModesFlowThroughTheBus() throws Exception {
        JsonObject create = new JsonObject().put("action", "create").put("name", "bustyped").put("language", "en")
                .put("fields", new JsonObject().put("year", "long"));
        Message<Object> created = ask(EventBusApiVerticle.COLLECTIONS, create);
        assertThat(created.headers().get("status")).isEqualTo("201");
        assertThat(((JsonObject) created.body()).getJsonObject("fields").getString("year")).isEqualTo("long");
        assertThat(ask(EventBusApiVerticle.COLLECTIONS, create).headers().get("status")).isEqualTo("200");
        ReplyException conflict = failure(EventBusApiVerticle.COLLECTIONS, create.copy().put("language", "ru"));
        assertThat(conflict.failureCode()).isEqualTo(409);

        JsonArray docs = new JsonArray()
                .add(new JsonObject().put("id", "old").put("text", "Rockets launch satellites.").put("fields", new JsonObject().put("year", 1957)))
                .add(new JsonObject().put("id", "new").put("text", "Reusable rockets land again.").put("fields", new JsonObject().put("year", 2015)));
        ask(EventBusApiVerticle.INGEST, new JsonObject().put("collection", "bustyped").put("documents", docs));
        JsonObject found = (JsonObject) ask(EventBusApiVerticle.SEARCH, new JsonObject().put("collection", "bustyped")
                .put("query", "rockets").put("mode", "lexical")
                .put("filter", new JsonObject().put("range", new JsonObject().put("year", new JsonObject().put("gte", 2000))))).body();
        assertThat(found.getJsonArray("hits")).hasSize(1);
        assertThat(found.getJsonArray("hits").getJsonObject(0).getString("id")).isEqualTo("new");

        ReplyException undeclared = failure(EventBusApiVerticle.SEARCH, new JsonObject().put("collection", "bustyped")
                .put("query", "rockets").put("filter", new JsonObject().put("month", 3)));
        assertThat(undeclared.failureCode()).isEqualTo(400);
        assertThat(new JsonObject(undeclared.getMessage()).getJsonObject("error").getString("message")).contains("month");
    }

    @Test
    void errorsAreFailedRepliesWithStatusAndCode() {
        ReplyException missing = failure(EventBusApiVerticle.SEARCH, new JsonObject().put("collection", "absent").put("query", "x"));
        assertThat(missing.failureCode()).isEqualTo(404);
        assertThat(new JsonObject(missing.getMessage()).getJsonObject("error").getString("code")).isEqualTo("collection_not_found");

        ReplyException badK = failure(EventBusApiVerticle.SEARCH, new JsonObject().put("collection", "absent").put("query", "x").put("k", -1));
        assertThat(badK.failureCode()).isEqualTo(400);
        assertThat(new JsonObject(badK.getMessage()).getJsonObject("error").getString("code")).isEqualTo("invalid_query");

        ReplyException badName = failure(EventBusApiVerticle.INGEST, new JsonObject().put("collection", "Bad Name!").put("documents", new JsonArray()));
        assertThat(new JsonObject(badName.getMessage()).getJsonObject("error").getString("code")).isEqualTo("invalid_name");

        ReplyException badAction = failure(EventBusApiVerticle.COLLECTIONS, new JsonObject().put("action", "explode"));
        assertThat(badAction.failureCode()).isEqualTo(400);
        assertThat(new JsonObject(badAction.getMessage()).getJsonObject("error").getString("message")).contains("list, create, describe, delete");
    }
}
