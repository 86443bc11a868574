package io.poisk.server.http;

import io.poisk.core.Document;
import io.poisk.engine.DocumentPage;
import io.poisk.engine.Engine;
import io.poisk.server.wire.ErrorResponses;
import io.poisk.server.wire.ResponseEncoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * One streamed export: the collection's documents as NDJSON, one {@code {"id","text","fields"}} per line,
 * exactly the lines an NDJSON ingest takes. Pages are read from the engine one at a time, and the next is
 * read only once the response's write queue has room, so a slow client holds at most about one page in
 * memory. The first page is read before the head is sent, so a bad name or cursor still gets its 4xx; a
 * failure after that cuts the response, so a client never takes a broken export for a complete one.
 */
final class NdjsonExport {
    /** Documents per engine call; the engine also stops a page at DocumentPage.MAX_BYTES. */
    static final int PAGE = 256;

    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final Engine engine;
    private final Context context;
    private final String collection;
    private final String cursor;
    private boolean started;

    NdjsonExport(RoutingContext ctx, Engine engine, Context context, String collection, String cursor) {
        this.ctx = ctx;
        this.response = ctx.response();
        this.engine = engine;
        this.context = context;
        this.collection = collection;
        this.cursor = cursor;
    }

    void start() {
        next(cursor);
    }

    /** The page after {@code after}; the cursors of later pages name the collection, so an alias swap does not mix collections. */
    private void next(String after) {
        Future.fromCompletionStage(engine.documents(collection, after, PAGE), context).onComplete(ar -> {
            if (response.closed() || response.ended()) return; // the client went away
            if (ar.failed()) {
                ErrorResponses.send(ctx, ar.cause()); // after the head: a reset
                return;
            }
            DocumentPage page = ar.result();
            if (!started) {
                started = true;
                response.setChunked(true).putHeader("content-type", HttpApiVerticle.NDJSON + "; charset=utf-8");
            }
            Buffer lines = Buffer.buffer();
            for (Document d : page.documents()) lines.appendBuffer(ResponseEncoder.toBuffer(ResponseEncoder.document(d))).appendByte((byte) '\n');
            if (page.nextCursor() == null) {
                response.end(lines);
                return;
            }
            response.write(lines);
            if (response.writeQueueFull()) {
                response.drainHandler(v -> {
                    response.drainHandler(null);
                    next(page.nextCursor());
                });
            } else {
                next(page.nextCursor());
            }
        });
    }
}
