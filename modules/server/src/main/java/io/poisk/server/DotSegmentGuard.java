package io.poisk.server;

import io.poisk.core.ErrorCode;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * Refuses a request whose path has a {@code .} or {@code ..} segment, plain or percent-encoded
 * ({@code %2e}, {@code .%2E}, …), with a 400 before routing. Vert.x Web routes on the normalised path, in
 * which {@code /collections/x/documents/..} is {@code /collections/x}: without this a document delete
 * would delete the collection. No route of the API has such a segment, and no document id may be one.
 */
final class DotSegmentGuard {
    private DotSegmentGuard() {
    }

    static void check(RoutingContext ctx) {
        String raw = ctx.request().path();
        if (raw != null && hasDotSegment(raw)) {
            ErrorResponses.send(ctx.response(), ErrorCode.BAD_REQUEST, "the path has a '.' or '..' segment (also when"
                    + " percent-encoded); no route takes one, and document ids may not be '.' or '..'");
            return;
        }
        ctx.next();
    }

    static boolean hasDotSegment(String path) {
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) end = path.length();
            String segment = path.substring(start, end).toLowerCase(Locale.ROOT).replace("%2e", ".");
            if (segment.equals(".") || segment.equals("..")) return true;
            start = end + 1;
        }
        return false;
    }
}
