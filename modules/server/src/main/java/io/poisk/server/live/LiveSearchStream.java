package io.poisk.server.live;

import io.poisk.core.CollectionName;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.Engine;
import io.poisk.engine.LiveQuery;
import io.poisk.server.wire.LiveSearchReplies;
import io.poisk.server.wire.RequestDecoder;
import io.poisk.server.wire.RequestDeadlines;
import io.poisk.server.wire.TimedSearch;
import io.poisk.server.wire.ResponseEncoder;
import io.poisk.server.wire.WireError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * {@code GET /collections/{name}/search/stream?query=…&instruction=…&k=…&mode=…&filter={…}&fusion={…}&rerank=<reranker>&top_n=…&timeout_ms=…}:
 * the live-search phases as
 * Server-Sent Events, for networks where WebSocket fails. Events are named after the phase
 * ({@code candidates}, {@code final}, {@code error}) and carry the same JSON as the WebSocket
 * messages; the stream ends after {@code final} or {@code error}. A client that disconnects cancels the query.
 */
public final class LiveSearchStream {
    private static final Logger LOG = LoggerFactory.getLogger(LiveSearchStream.class);
    private static final List<String> PARAMETERS = List.of("query", "instruction", "k", "offset", "mode", "filter", "fusion", "rerank",
            "top_n", "fields", "return_text", "highlight", RequestDeadlines.PROPERTY);
    /** Parameters whose value is a JSON object, as in the HTTP search body. */
    private static final List<String> JSON_PARAMETERS = List.of("filter", "fusion");

    private LiveSearchStream() {
    }

    public static void handle(RoutingContext ctx, Engine engine, RequestDecoder decoder, Context context) {
        String name = CollectionName.validate(ctx.pathParam("name"));
        TimedSearch search = decoder.timedSearch(queryParameters(ctx).toBuffer().getBytes(),
                ctx.request().getHeader(RequestDeadlines.HEADER));
        LiveQuery query = engine.searchLive(name, search.request(), search.timeout());
        HttpServerResponse response = ctx.response();
        response.setChunked(true)
                .putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-cache")
                .putHeader("x-accel-buffering", "no"); // nginx would otherwise hold the events back
        response.closeHandler(v -> query.cancel());
        response.write(": poisk live search\n\n"); // sends the head now, so clients see the stream open
        Future.fromCompletionStage(query.candidates(), context).onSuccess(page -> {
            if (!response.ended() && !response.closed()) {
                event(response, LiveSearchReplies.CANDIDATES, LiveSearchReplies.page(null, LiveSearchReplies.CANDIDATES, page));
            }
        });
        Future.fromCompletionStage(query.result(), context).onComplete(ar -> {
            if (response.ended() || response.closed()) return;
            if (ar.succeeded()) {
                event(response, LiveSearchReplies.FINAL, LiveSearchReplies.page(null, LiveSearchReplies.FINAL, ar.result()));
            } else if (!(ar.cause() instanceof CancellationException)) {
                if (WireError.of(ar.cause()).internal()) LOG.error("streamed query failed", ar.cause());
                event(response, LiveSearchReplies.ERROR, LiveSearchReplies.error(null, ar.cause()));
            }
            response.end();
        });
    }

    /**
     * The query string as the JSON body of the HTTP search, so both validate alike: k and top_n are numbers
     * when they look like one, {@code rerank=<model>&top_n=n} becomes {@code "rerank":{"model","top_n"}} (either may be
     * left out, as in the body), {@code rerank=false} becomes {@code "rerank":false}.
     */
    private static JsonObject queryParameters(RoutingContext ctx) {
        JsonObject body = new JsonObject();
        JsonObject rerank = new JsonObject();
        for (Map.Entry<String, String> p : ctx.queryParams()) {
            if (p.getKey().equals("key")) continue; // the API key of a browser's EventSource (server/auth), not a search parameter
            if (!PARAMETERS.contains(p.getKey())) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "unknown parameter '" + p.getKey() + "'; accepted: "
                        + String.join(", ", PARAMETERS));
            }
            String value = p.getValue();
            Object typed = switch (p.getKey()) {
                case "k", "top_n", "offset", RequestDeadlines.PROPERTY -> value.matches("-?\\d{1,9}") ? (Object) Integer.parseInt(value) : value;
                case "return_text" -> value.equals("true") || value.equals("false") ? (Object) Boolean.parseBoolean(value) : value;
                // highlight=true|false, or highlight=<max_chars>
                case "highlight" -> value.equals("true") || value.equals("false") ? (Object) Boolean.parseBoolean(value)
                        : value.matches("\\d{1,9}") ? new JsonObject().put("max_chars", Integer.parseInt(value)) : value;
                // fields=a,b (empty: none)
                case "fields" -> value.isEmpty() ? new JsonArray() : new JsonArray(List.of(value.split(",", -1)));
                default -> JSON_PARAMETERS.contains(p.getKey()) ? jsonObject(p.getKey(), value) : value;
            };
            switch (p.getKey()) {
                case "rerank" -> rerank.put("model", typed);
                case "top_n" -> rerank.put("top_n", typed);
                default -> body.put(p.getKey(), typed);
            }
        }
        if ("false".equals(rerank.getValue("model"))) {
            if (rerank.containsKey("top_n")) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "'top_n' cannot go with rerank=false, which switches reranking off");
            }
            body.put("rerank", false);
        } else if (!rerank.isEmpty()) {
            body.put("rerank", rerank);
        }
        return body;
    }

    private static JsonObject jsonObject(String parameter, String value) {
        try {
            return new JsonObject(value);
        } catch (RuntimeException e) {
            throw new PoiskException(ErrorCode.INVALID_QUERY, "parameter '" + parameter + "' must be a JSON object (URL-encoded),"
                    + " as '" + parameter + "' in the body of POST /collections/{name}/search; got '" + value + "'");
        }
    }

    private static void event(HttpServerResponse response, String name, Object data) {
        // JSON never holds a raw newline, so one data line carries the whole message.
        response.write("event: " + name + "\ndata: " + ResponseEncoder.toBuffer(data).toString(StandardCharsets.UTF_8) + "\n\n");
    }
}
