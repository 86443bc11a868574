package io.poisk.server.http;

import io.poisk.server.wire.ErrorResponses;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.poisk.core.ErrorCode;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request whose head the HTTP decoder refused (request line over the limit, headers too large,
 * garbage) in our error shape instead of Vert.x's plain-text default, then closes the connection: after a
 * broken head the rest of the stream cannot be trusted to start a request.
 */
final class InvalidRequests {
    private static final Logger LOG = LoggerFactory.getLogger(InvalidRequests.class);

    private InvalidRequests() {
    }

    static void answer(HttpServerRequest request) {
        DecoderResult result = request.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        LOG.debug("invalid request head from {}: {}", request.remoteAddress(), String.valueOf(cause));
        HttpServerResponse response = request.response().putHeader("connection", "close");
        response.endHandler(v -> request.connection().close());
        if (cause instanceof TooLongHttpLineException) {
            ErrorResponses.send(response, ErrorCode.URI_TOO_LONG, "the request line is longer than " + HttpApiVerticle.MAX_REQUEST_LINE
                    + " characters; document ids are at most 512 UTF-8 bytes, which fits URL-encoded");
        } else if (cause instanceof TooLongHttpHeaderException) {
            ErrorResponses.send(response, ErrorCode.BAD_REQUEST, "the request headers are larger than 8192 bytes");
        } else {
            ErrorResponses.send(response, ErrorCode.BAD_REQUEST, "the request head is not valid HTTP/1.1"
                    + (cause == null ? "" : ": " + cause.getMessage()));
        }
    }
}
