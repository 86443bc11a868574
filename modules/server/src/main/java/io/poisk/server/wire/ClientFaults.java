package io.poisk.server.wire;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * Tells failures that are the client's doing (a broken request, a closed connection) from our own, so
 * that only ours become a 500 and an ERROR log line.
 */
final class ClientFaults {
    private ClientFaults() {
    }

    /** The client closed or reset the connection (mid-body, mid-response): no one is left to answer. */
    static boolean isDisconnect(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpClosedException || t instanceof ClosedChannelException || t instanceof PrematureChannelClosureException) {
                return true;
            }
            if (t instanceof IOException && t.getMessage() != null
                    && (t.getMessage().contains("Connection reset") || t.getMessage().contains("Broken pipe"))) {
                return true;
            }
            if (t instanceof VertxException && "Connection was closed".equals(t.getMessage())) return true;
        }
        return false;
    }

    /** The failure as our error: a request the HTTP decoder could not read (bad chunk size, oversized part) is a 400/413. */
    static PoiskException classify(Throwable failure) {
        PoiskException known = PoiskException.from(failure);
        if (known.code() != ErrorCode.INTERNAL) return known;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TooLongFrameException) {
                return new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE, "a part of the request is too large: " + t.getMessage());
            }
            if (t instanceof DecoderException || t instanceof IllegalArgumentException && isFromNetty(t)) {
                return new PoiskException(ErrorCode.BAD_REQUEST, "the request is not valid HTTP: " + t.getMessage());
            }
        }
        return known;
    }

    /** Netty's HTTP decoder throws plain IllegalArgumentException / NumberFormatException for bad chunk sizes and headers. */
    private static boolean isFromNetty(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        return stack.length > 0 && stack[0].getClassName().startsWith("io.netty.handler.codec");
    }
}
