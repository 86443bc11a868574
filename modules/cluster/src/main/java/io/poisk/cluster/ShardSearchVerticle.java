package io.poisk.cluster;

import io.poisk.core.PoiskException;
import io.poisk.engine.SearchRequest;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Optional;

/**
 * Answers shard reads for the shard copies this node holds, on its own address {@code poisk.shard.<nodeId>}: a
 * search of one shard ({@code op: search}, with the coordinator's query vector, so no inference here) or a document by
 * id ({@code op: get}). A shard this node does not hold ready fails {@value #NOT_HELD}; one that has not yet applied
 * the request's {@code after} offset within the deadline fails {@value #NOT_YET}: the coordinator then asks another
 * replica.
 */
final class ShardSearchVerticle extends AbstractVerticle {
    static final String ADDRESS_PREFIX = "poisk.shard.";
    static final int NOT_HELD = 404;
    static final int NOT_YET = 409;
    static final int FAILED = 500;
    /** How often a read waiting for its {@code after} offset looks again. */
    private static final long WAIT_STEP_MS = 10;

    private final ShardHost host;
    private final String nodeId;

    ShardSearchVerticle(ShardHost host, String nodeId) {
        this.host = host;
        this.nodeId = nodeId;
    }

    static String address(String nodeId) {
        return ADDRESS_PREFIX + nodeId;
    }

    @Override
    public void start(Promise<Void> started) {
        vertx.eventBus().<JsonObject>consumer(address(nodeId), this::handle).completion().onComplete(started);
    }

    private void handle(Message<JsonObject> message) {
        JsonObject body = message.body();
        String collection = body.getString("collection");
        int shard = body.getInteger("shard");
        long deadline = System.nanoTime() + Duration.ofMillis(body.getLong("timeout_ms", 10_000L)).toNanos();
        Optional<ShardReplica.Held> held = host.held(collection, shard);
        if (held.isEmpty() || !held.get().ready) {
            message.fail(NOT_HELD, "node " + nodeId + " holds no ready copy of shard " + shard + " of " + collection);
            return;
        }
        awaitOffset(held.get(), body.getLong("after", -1L), deadline).compose(ok -> {
            if (!ok) return Future.failedFuture(new NotYet());
            String local = collection + "-s" + shard;
            if ("get".equals(body.getString("op"))) {
                return Future.fromCompletionStage(host.engine().getDocument(local, body.getString("id")), context)
                        .map(doc -> new JsonObject().put("found", doc.isPresent())
                                .put("document", doc.map(ShardSearchCodec::document).orElse(null)));
            }
            SearchRequest request = ShardSearchCodec.request(body.getJsonObject("request"));
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            return Future.fromCompletionStage(host.engine().search(local, request, left), context)
                    .map(page -> new JsonObject().put("hits", ShardSearchCodec.hits(page.hits())).put("took_ms", page.tookMs()));
        }).onComplete(ar -> {
            if (ar.succeeded()) message.reply(ar.result());
            else if (ar.cause() instanceof NotYet) {
                message.fail(NOT_YET, "shard " + shard + " of " + collection + " on node " + nodeId + " has applied offset "
                        + held.get().applied + ", not yet " + body.getLong("after"));
            } else {
                // a client fault (a bad filter, a bad vector) travels with its code, so the coordinator answers it as is
                String code = ar.cause() instanceof PoiskException p ? p.code().name() : "INTERNAL";
                message.fail(FAILED, code + ":" + ar.cause().getMessage());
            }
        });
    }

    /** Completes true once {@code held} applied {@code after} (-1: at once), false past the deadline; never blocks. */
    private Future<Boolean> awaitOffset(ShardReplica.Held held, long after, long deadline) {
        if (held.applied >= after) return Future.succeededFuture(true);
        if (System.nanoTime() + WAIT_STEP_MS * 1_000_000 >= deadline) return Future.succeededFuture(false);
        Promise<Boolean> p = Promise.promise();
        vertx.setTimer(WAIT_STEP_MS, t -> awaitOffset(held, after, deadline).onComplete(p));
        return p.future();
    }

    private static final class NotYet extends RuntimeException {
        NotYet() {
            super(null, null, false, false);
        }
    }
}
