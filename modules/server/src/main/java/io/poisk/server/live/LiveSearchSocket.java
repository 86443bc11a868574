package io.poisk.server.live;

import io.poisk.server.wire.RequestDecoder;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.engine.Engine;
import io.poisk.engine.LiveQuery;
import io.poisk.server.wire.LiveSearchMessage;
import io.poisk.server.wire.LiveSearchReplies;
import io.poisk.server.wire.ResponseEncoder;
import io.poisk.server.wire.WireError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.websocket.WebSocketFrameImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;

/**
 * One connection of {@code /ws/search}. Each message starts a query; a newer id cancels the query
 * before it (its queued and not yet started work is dropped). While {@code live.max_in_flight} queries
 * still hold engine work (superseded ones until the stage they were stopped in ends), the newest
 * message waits for a slot, replacing any message already waiting: work stays bounded and the last
 * keystroke is always answered. Every answer carries the id; bad input is answered with an error
 * message, never by closing the socket. All state is confined to the connection's event loop.
 */
public final class LiveSearchSocket {
    private static final Logger LOG = LoggerFactory.getLogger(LiveSearchSocket.class);

    private final ServerWebSocket ws;
    private final Engine engine;
    private final LiveSearchLimits limits;
    private final Context context;
    private final RequestDecoder decoder;
    private long lastId = -1;
    private LiveQuery current;
    private long currentId;
    private int inFlight;
    /** The newest message, when it arrived with every slot taken; started when one frees. */
    private LiveSearchMessage waiting;
    private long pingTimer;
    /** The collections the connection's key may search (all when auth is off). */
    private java.util.function.Predicate<String> searchable = name -> true;
    private long lastPongNanos = System.nanoTime();

    public LiveSearchSocket(ServerWebSocket ws, Engine engine, LiveSearchLimits limits, RequestDecoder decoder, Context context) {
        this.decoder = decoder;
        this.ws = ws;
        this.engine = engine;
        this.limits = limits;
        this.context = context;
    }

    /** Limits the connection to the collections its key may search; a message naming another one is answered 403. */
    public LiveSearchSocket restrictTo(java.util.function.Predicate<String> collections) {
        this.searchable = collections;
        return this;
    }

    /** Starts serving; {@code onClose} runs once the socket has closed. */
    public void start(Runnable onClose) {
        ws.textMessageHandler(this::onText);
        ws.binaryMessageHandler(b -> send(LiveSearchReplies.error(null, new PoiskException(ErrorCode.INVALID_JSON,
                "binary messages are not accepted; send each query as a JSON text message"))));
        ws.pongHandler(b -> lastPongNanos = System.nanoTime());
        ws.exceptionHandler(this::onSocketError);
        ws.closeHandler(v -> {
            onClose.run();
            context.owner().cancelTimer(pingTimer);
            if (current != null) current.cancel();
            waiting = null;
        });
        // Keep-alive: proxies drop idle connections, and a peer that stopped answering pings is gone.
        pingTimer = context.owner().setPeriodic(limits.pingIntervalMs(), t -> {
            if (System.nanoTime() - lastPongNanos > 2_000_000L * limits.pingIntervalMs() + 1_000_000_000L) {
                LOG.debug("closing live-search socket: no pong for two ping intervals");
                ws.close((short) 1001, "no pong");
                return;
            }
            ws.writePing(Buffer.buffer("poisk"));
        });
    }

    /**
     * Protocol errors and disconnects are the client's: one DEBUG line. A frame the decoder refused gets the close
     * status RFC 6455 gives its fault (1002 protocol, 1009 too big): Vert.x then closes the connection itself with
     * 1000 and no API to choose the status, so ours is written first as a raw close frame.
     */
    private void onSocketError(Throwable e) {
        LOG.debug("live-search socket error: {}", e.toString());
        if (e instanceof CorruptedWebSocketFrameException corrupted) closeWith(corrupted.closeStatus());
    }

    private void closeWith(WebSocketCloseStatus status) {
        if (!ws.isClosed()) {
            byte[] reason = status.reasonText().getBytes(StandardCharsets.UTF_8);
            byte[] payload = new byte[2 + reason.length];
            payload[0] = (byte) (status.code() >> 8);
            payload[1] = (byte) status.code();
            System.arraycopy(reason, 0, payload, 2, reason.length);
            ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.CLOSE, payload, true));
        }
    }

    private void onText(String text) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxMessageBytes()) {
            send(LiveSearchReplies.error(LiveSearchMessage.idOf(text), new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "message of " + bytes + " bytes is larger than the limit of " + limits.maxMessageBytes() + " bytes")));
            return;
        }
        LiveSearchMessage message;
        try {
            message = LiveSearchMessage.parse(text, decoder);
        } catch (RuntimeException e) {
            send(LiveSearchReplies.error(LiveSearchMessage.idOf(text), e));
            return;
        }
        long id = message.id();
        if (!searchable.test(message.collection())) {
            send(LiveSearchReplies.error(id, new PoiskException(ErrorCode.FORBIDDEN, "this connection's key may not search collection '"
                    + message.collection() + "'")));
            return;
        }
        if (id <= lastId) {
            send(LiveSearchReplies.error(id, new PoiskException(ErrorCode.INVALID_QUERY, "id " + id
                    + " is not newer than the last id " + lastId + " of this connection; ids must grow")));
            return;
        }
        lastId = id;
        if (current != null && current.cancel()) {
            engine.liveStats().superseded();
            send(LiveSearchReplies.cancelled(currentId, id));
        }
        current = null;
        if (waiting != null) {
            engine.liveStats().replacedWhileWaiting();
            send(LiveSearchReplies.cancelled(waiting.id(), id));
            waiting = null;
        }
        if (inFlight >= limits.maxInFlight()) {
            waiting = message;
            return;
        }
        run(message);
    }

    private void run(LiveSearchMessage message) {
        long id = message.id();
        LiveQuery query = engine.searchLive(message.collection(), message.request(), message.timeout());
        current = query;
        currentId = id;
        inFlight++;
        Future.fromCompletionStage(query.settled(), context).onComplete(ar -> {
            inFlight--;
            if (waiting != null && inFlight < limits.maxInFlight() && !ws.isClosed()) {
                LiveSearchMessage next = waiting;
                waiting = null;
                run(next);
            }
        });
        // Both land on this event loop in completion order, and candidates always complete before the result.
        Future.fromCompletionStage(query.candidates(), context).onSuccess(page -> {
            if (current == query) send(LiveSearchReplies.page(id, LiveSearchReplies.CANDIDATES, page));
        });
        Future.fromCompletionStage(query.result(), context).onComplete(ar -> {
            if (current == query) current = null;
            if (ar.succeeded()) {
                send(LiveSearchReplies.page(id, LiveSearchReplies.FINAL, ar.result()));
            } else if (!(ar.cause() instanceof CancellationException)) {
                if (WireError.of(ar.cause()).internal()) LOG.error("live query {} failed", id, ar.cause());
                send(LiveSearchReplies.error(id, ar.cause()));
            }
        });
    }

    private void send(Object message) {
        if (ws.isClosed()) return;
        ws.writeTextMessage(ResponseEncoder.toBuffer(message).toString(StandardCharsets.UTF_8));
    }
}
