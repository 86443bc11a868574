package io.poisk.server.http;

import io.poisk.core.Document;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.Engine;
import io.poisk.server.wire.ApiLimits;
import io.poisk.server.wire.ErrorResponses;
import io.poisk.server.wire.RequestDecoder;
import io.poisk.server.wire.ResponseEncoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One streamed {@code application/x-ndjson} ingest: lines are parsed as they arrive and indexed in
 * batches; the request is paused while a batch is being embedded and written, so a fast client
 * cannot make the server buffer more than about one batch. Runs entirely on the event loop.
 */
public final class NdjsonIngest {
    public static final int BATCH = 256;

    private final RoutingContext ctx;
    private final HttpServerRequest request;
    private final Engine engine;
    private final RequestDecoder decoder;
    private final ApiLimits limits;
    private final Context context;
    private final String collection;
    private final RecordParser lines;
    private final Set<String> ids = new HashSet<>();
    private List<Document> pending = new ArrayList<>();
    private long lineNumber;
    private long bytes;
    private long indexed;
    /** The shard offsets written so far (a sharded collection), for the reply. */
    private io.poisk.engine.IndexReceipt receipt = io.poisk.engine.IndexReceipt.local(0);
    private boolean batchInFlight;
    private boolean ended;
    private boolean failed;
    private final long bodyTimeoutMs;
    /** Fires when the client pauses longer than limits.body_timeout_ms while the server is reading. */
    private long pauseTimer = -1;

    NdjsonIngest(RoutingContext ctx, Engine engine, RequestDecoder decoder, long bodyTimeoutMs, Context context, String collection) {
        this.ctx = ctx;
        this.request = ctx.request();
        this.engine = engine;
        this.decoder = decoder;
        this.limits = decoder.limits();
        this.bodyTimeoutMs = bodyTimeoutMs;
        this.context = context;
        this.collection = collection;
        // JSON escapes can make a line several times larger than the document's text; the exact limit is checked per document.
        int maxLine = (int) Math.min(Integer.MAX_VALUE - 16, Math.min(limits.maxRequestBytes(), 6L * limits.maxDocumentBytes() + 65536));
        this.lines = RecordParser.newDelimited("\n");
        this.lines.maxRecordSize(maxLine);
        this.lines.exceptionHandler(e -> fail(new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE, "line " + (lineNumber + 1)
                + " is longer than " + maxLine + " bytes; a document may hold at most " + limits.maxDocumentBytes()
                + " bytes of text and fields (configured by max_document_bytes)")));
        this.lines.handler(this::onLine);
    }

    void start() {
        request.handler(chunk -> {
            if (failed) return;
            armPauseTimer();
            bytes += chunk.length();
            if (bytes > limits.maxRequestBytes()) {
                fail(new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than the limit of "
                        + limits.maxRequestBytes() + " bytes (configured by max_request_bytes); split the stream into several requests"));
                return;
            }
            lines.handle(chunk);
            flushIfReady();
        });
        request.endHandler(v -> {
            stopPauseTimer();
            if (failed) return;
            lines.handle(Buffer.buffer("\n")); // emits a last line that has no trailing newline
            ended = true;
            flushIfReady();
        });
        request.exceptionHandler(e -> {
            stopPauseTimer();
            failed = true;
            ErrorResponses.connectionFailed(ctx, e);
        });
        armPauseTimer();
        request.resume();
    }

    private void armPauseTimer() {
        stopPauseTimer();
        if (bodyTimeoutMs <= 0 || ended || failed) return;
        pauseTimer = context.owner().setTimer(bodyTimeoutMs, t -> {
            pauseTimer = -1;
            fail(new PoiskException(ErrorCode.REQUEST_TIMEOUT, "no part of the body arrived for " + bodyTimeoutMs
                    + " ms (configured by limits.body_timeout_ms)"));
        });
    }

    private void stopPauseTimer() {
        if (pauseTimer >= 0) context.owner().cancelTimer(pauseTimer);
        pauseTimer = -1;
    }

    private void onLine(Buffer line) {
        if (failed) return;
        lineNumber++;
        int length = line.length();
        if (length > 0 && line.getByte(length - 1) == '\r') length--;
        if (isBlank(line, length)) return;
        try {
            Document d = decoder.ndjsonLine(line.getBytes(0, length), lineNumber);
            if (!ids.add(d.id())) {
                throw new PoiskException(ErrorCode.INVALID_DOCUMENT, "line " + lineNumber + ": duplicate id '" + d.id()
                        + "' in this request; each id may appear once per request");
            }
            pending.add(d);
        } catch (PoiskException e) {
            fail(e);
        }
    }

    private static boolean isBlank(Buffer line, int length) {
        for (int i = 0; i < length; i++) {
            byte b = line.getByte(i);
            if (b != ' ' && b != '\t') return false;
        }
        return true;
    }

    private void flushIfReady() {
        if (failed || batchInFlight) return;
        if (pending.size() >= BATCH || (ended && !pending.isEmpty())) {
            List<Document> batch;
            if (pending.size() > BATCH) {
                batch = new ArrayList<>(pending.subList(0, BATCH));
                pending = new ArrayList<>(pending.subList(BATCH, pending.size()));
            } else {
                batch = pending;
                pending = new ArrayList<>();
            }
            batchInFlight = true;
            if (!ended) {
                request.pause();
                stopPauseTimer(); // the server, not the client, is slow now
            }
            Future.fromCompletionStage(engine.indexWithReceipt(collection, batch), context).onComplete(ar -> {
                batchInFlight = false;
                if (ar.failed()) {
                    fail(ar.cause());
                    return;
                }
                indexed += ar.result().indexed();
                receipt = receipt.plus(ar.result());
                flushIfReady();
                if (!batchInFlight && !ended && !failed) {
                    armPauseTimer();
                    request.resume();
                }
            });
        } else if (ended) {
            ctx.response().putHeader("content-type", "application/json; charset=utf-8")
                    .end(ResponseEncoder.toBuffer(receipt.offsets().isEmpty() ? Map.of("indexed", indexed)
                            : Map.of("indexed", indexed, "offsets", receipt.wireOffsets())));
        }
    }

    /**
     * Answers the error at once; documents of earlier batches stay indexed, and the body says how many
     * ({@code "indexed": n}, the first n lines), so that a client resumes the stream at line n + 1.
     */
    private void fail(Throwable failure) {
        if (failed) return;
        failed = true;
        stopPauseTimer();
        PoiskException e = PoiskException.from(failure);
        String message = e.code() == ErrorCode.INTERNAL ? e.getMessage() : e.getMessage() + " (" + indexed
                + " documents of earlier lines were indexed before this error)";
        if (!ended) {
            // The client may still be sending: answer now and discard the rest of the body, except
            // for a body over the size limit, whose HTTP/1 connection is closed rather than read to the end
            // (an HTTP/2 connection carries other streams, so there the rest is discarded).
            boolean cutOff = e.code() == ErrorCode.PAYLOAD_TOO_LARGE || e.code() == ErrorCode.REQUEST_TIMEOUT;
            if (cutOff && request.version() != HttpVersion.HTTP_2) {
                ctx.response().putHeader("connection", "close");
                ctx.response().endHandler(v -> request.connection().close());
            }
            request.resume();
        }
        if (e.code() == ErrorCode.INTERNAL) {
            ErrorResponses.send(ctx, failure);
        } else {
            ErrorResponses.send(ctx.response(), e.code(), message, Map.of("indexed", indexed));
        }
    }
}
