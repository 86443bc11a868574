package io.poisk.cluster;

import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.RankedHit;
import io.poisk.engine.SearchPage;
import io.poisk.engine.SearchRequest;
import io.poisk.engine.ShardCoverage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The coordinator's side of a read of a sharded collection: it asks one ready replica of each shard (this node's
 * own first, else the next in rotation) over the event bus, tries another ready replica of a shard whose replica
 * fails or answers too late while the deadline lasts, and merges the shards' hits by score. A shard no replica could
 * answer is named missing: the page is {@code partial}, never silently short.
 */
final class ShardQuery {
    private final Vertx vertx;
    private final ShardPlacement placement;
    private final AtomicInteger rotation = new AtomicInteger();
    static final long RETRY_MS = 50;

    ShardQuery(Vertx vertx, ShardPlacement placement) {
        this.vertx = vertx;
        this.placement = placement;
    }

    /** Searches every shard with {@code request} (and the query {@code vector}); {@code after}: shard → offset to see. */
    Future<SearchPage> search(ShardSpec spec, SearchRequest request, float[] vector, Map<Integer, Long> after, long deadlineNanos) {
        long started = System.nanoTime();
        JsonObject encoded = ShardSearchCodec.request(request, vector);
        return replicas(spec).compose(byShard -> {
            List<Future<JsonObject>> answers = new ArrayList<>();
            for (int k = 0; k < spec.shards(); k++) {
                JsonObject message = new JsonObject().put("op", "search").put("collection", spec.name()).put("shard", k)
                        .put("after", after.getOrDefault(k, -1L)).put("request", encoded);
                answers.add(askShard(spec, k, byShard.get(k), message, deadlineNanos, after.containsKey(k)));
            }
            return Future.all(answers).map(done -> merge(spec, request, answers, started));
        });
    }

    /** The document {@code id} from a ready replica of its shard; UNAVAILABLE (503) when none answers. */
    Future<Optional<Document>> get(ShardSpec spec, String id, long deadlineNanos) {
        int k = ShardRouter.shard(id, spec.shards());
        JsonObject message = new JsonObject().put("op", "get").put("collection", spec.name()).put("shard", k).put("id", id);
        return replicas(spec).compose(byShard -> ask(byShard.get(k), 0, message, deadlineNanos)).compose(answer -> {
            if (answer == null) {
                return Future.failedFuture(new PoiskException(ErrorCode.UNAVAILABLE, "no ready replica of shard " + k + " of '" + spec.name()
                        + "' answered; retry once the cluster has moved it (GET /cluster shows where it is)"));
            }
            return Future.succeededFuture(answer.getBoolean("found")
                    ? Optional.of(ShardSearchCodec.document(answer.getJsonObject("document"))) : Optional.empty());
        });
    }

    /**
     * Asks the ready replicas of shard {@code k}; when none answered and the request waits for its own writes to that
     * shard ({@code after}), looks again at the placement every {@value #RETRY_MS} ms within the deadline (a replica
     * may be catching up, or a new one joining). Without {@code after} the shard is missing at once: a search never
     * waits out its deadline for a shard that has no copy.
     */
    private Future<JsonObject> askShard(ShardSpec spec, int k, List<String> nodes, JsonObject message, long deadlineNanos, boolean waits) {
        return ask(nodes, 0, message, deadlineNanos).compose(answer -> {
            if (answer != null || !waits || deadlineNanos - System.nanoTime() < 2 * RETRY_MS * 1_000_000) return Future.succeededFuture(answer);
            io.vertx.core.Promise<JsonObject> again = io.vertx.core.Promise.promise();
            vertx.setTimer(RETRY_MS, t -> replicas(spec).compose(byShard -> askShard(spec, k, byShard.get(k), message, deadlineNanos, true))
                    .onComplete(again));
            return again.future();
        });
    }

    /** Per shard, the nodes holding a ready copy: this node first, the others rotated so that load spreads. */
    private Future<List<List<String>>> replicas(ShardSpec spec) {
        String self = placement.nodeId();
        int turn = rotation.getAndIncrement();
        return placement.of(spec.name()).map(entries -> {
            List<List<String>> byShard = new ArrayList<>();
            for (int k = 0; k < spec.shards(); k++) byShard.add(new ArrayList<>());
            for (JsonObject e : entries) {
                int k = e.getInteger("shard");
                if (k < spec.shards() && ShardPlacement.READY.equals(e.getString("state"))) byShard.get(k).add(e.getString("node"));
            }
            for (List<String> nodes : byShard) {
                if (nodes.size() > 1) java.util.Collections.rotate(nodes, Math.floorMod(turn, nodes.size()));
                if (nodes.remove(self)) nodes.addFirst(self);
            }
            return byShard;
        });
    }

    /**
     * Asks {@code nodes[i]}, then the next ones, until one answers within the deadline; null when none did. An attempt
     * with another replica left to try gets half the time left, so a hung replica cannot take all of it.
     */
    private Future<JsonObject> ask(List<String> nodes, int i, JsonObject message, long deadlineNanos) {
        long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (i >= nodes.size() || leftMs <= 0) return Future.succeededFuture(null);
        long attemptMs = i + 1 < nodes.size() ? Math.max(1, leftMs / 2) : leftMs;
        JsonObject m = message.copy().put("timeout_ms", attemptMs);
        return vertx.eventBus().<JsonObject>request(ShardSearchVerticle.address(nodes.get(i)), m, new DeliveryOptions().setSendTimeout(attemptMs))
                .map(reply -> reply.body())
                .recover(e -> {
                    PoiskException fault = clientFault(e);
                    return fault != null ? Future.failedFuture(fault) : ask(nodes, i + 1, message, deadlineNanos);
                });
    }

    /** A shard's refusal of the request itself (a bad filter or vector): the same on every replica, so it is the answer. */
    private static PoiskException clientFault(Throwable e) {
        if (!(e instanceof ReplyException r) || r.failureCode() != ShardSearchVerticle.FAILED || r.getMessage() == null) return null;
        int colon = r.getMessage().indexOf(':');
        if (colon < 0) return null;
        try {
            ErrorCode code = ErrorCode.valueOf(r.getMessage().substring(0, colon));
            return code.httpStatus() >= 400 && code.httpStatus() < 500 ? new PoiskException(code, r.getMessage().substring(colon + 1)) : null;
        } catch (IllegalArgumentException notACode) {
            return null;
        }
    }

    private static SearchPage merge(ShardSpec spec, SearchRequest request, List<Future<JsonObject>> answers, long started) {
        List<RankedHit> all = new ArrayList<>();
        List<Integer> answered = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        for (int k = 0; k < answers.size(); k++) {
            JsonObject a = answers.get(k).result();
            if (a == null) {
                missing.add(k);
                continue;
            }
            answered.add(k);
            all.addAll(ShardSearchCodec.hits(a.getJsonArray("hits")));
        }
        all.sort(Comparator.comparingDouble((RankedHit h) -> -h.hit().score()).thenComparing(h -> h.hit().id()));
        List<RankedHit> page = all.subList(Math.min(all.size(), request.offset()), Math.min(all.size(), request.end()));
        return new SearchPage(List.copyOf(page), (System.nanoTime() - started) / 1_000_000, null, null,
                new ShardCoverage(spec.shards(), answered, missing));
    }
}
