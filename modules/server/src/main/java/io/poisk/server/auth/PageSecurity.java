package io.poisk.server.auth;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CSPHandler;
import io.vertx.ext.web.handler.XFrameHandler;

/**
 * Security headers of the live-search page ({@code /} and {@code /ui/*}): a Content-Security-Policy that lets the
 * page load only its own script, style and WebSocket, never be framed, and never sniff content types or leak its
 * URL (which may carry {@code ?key=}) to other sites. vertx-web writes CSP and X-Frame-Options; the other two are
 * plain headers.
 */
public final class PageSecurity {
    private PageSecurity() {
    }

    /** Adds the headers on the page's paths; call before the routes that serve them. */
    public static void install(Router router) {
        CSPHandler csp = CSPHandler.create()
                .setDirective("default-src", "'self'")
                .setDirective("connect-src", "'self'")
                .setDirective("object-src", "'none'")
                .setDirective("base-uri", "'none'")
                .setDirective("form-action", "'none'")
                .setDirective("frame-ancestors", "'none'");
        XFrameHandler frames = XFrameHandler.create(XFrameHandler.DENY);
        for (String path : new String[] {"/", "/ui/*"}) {
            router.route(path).handler(csp).handler(frames).handler(ctx -> {
                ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer");
                ctx.next();
            });
        }
    }
}
