package io.poisk.server.http;

import io.poisk.server.wire.ErrorResponses;
import io.poisk.core.ErrorCode;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * Checks the request path as the client sent it, before routing, with a 400 for what routing would
 * misread: a {@code .} or {@code ..} segment, plain or percent-encoded ({@code %2e}, {@code .%2E}, …), and a
 * malformed percent-escape. Vert.x Web routes on the normalised path, in which
 * {@code /collections/x/documents/..} is {@code /collections/x}: without this a document delete would delete
 * the collection. No route of the API has such a segment, and no document id may be one.
 */
final class RawPathGuard {
    private RawPathGuard() {
    }

    static void check(RoutingContext ctx) {
        String raw = ctx.request().path();
        if (raw != null && hasMalformedEscape(raw)) {
            ErrorResponses.send(ctx.response(), ErrorCode.BAD_REQUEST, "the path has a '%' that is not followed by two hex"
                    + " digits; URL-encode ids and names (a literal '%' is %25)");
            return;
        }
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

    static boolean hasMalformedEscape(String path) {
        for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
            if (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0 || Character.digit(path.charAt(i + 2), 16) < 0) {
                return true;
            }
        }
        return false;
    }
}
