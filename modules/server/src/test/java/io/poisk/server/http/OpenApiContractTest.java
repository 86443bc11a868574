package io.poisk.server.http;

import io.poisk.server.live.LiveSearchLimits;
import io.poisk.server.wire.ApiLimits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.poisk.core.PoiskConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Every route the server really has is in openapi.yaml, and every documented operation is a real route. */
class OpenApiContractTest {
    @Test
    void documentMatchesTheRouteTable() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(HttpApiVerticle.OPENAPI_RESOURCE)) {
            assertThat(in).as("openapi.yaml on the classpath").isNotNull();
            doc = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
        assertThat(doc.path("openapi").asText()).startsWith("3.");
        Set<String> documented = new TreeSet<>();
        for (Iterator<String> paths = doc.path("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            for (Iterator<String> ops = doc.path("paths").path(path).fieldNames(); ops.hasNext(); ) {
                String op = ops.next();
                if (!op.equals("parameters")) documented.add(op.toUpperCase(Locale.ROOT) + " " + path);
            }
        }

        Vertx vertx = Vertx.vertx();
        try {
            // The engine is only called by handlers, never while the route table is built.
            HttpApiVerticle api = new HttpApiVerticle(null, ApiLimits.from(PoiskConfig.defaults()), LiveSearchLimits.DEFAULTS,
                    ConnectionLimits.DEFAULTS, new java.util.concurrent.atomic.AtomicInteger(), "127.0.0.1", 0);
            vertx.deployVerticle(api).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            Set<String> routed = new TreeSet<>();
            for (Route route : api.routes().getRoutes()) {
                if (route.getPath() == null || route.methods() == null) continue; // failure/catch-all handlers
                if (route.getPath().startsWith("/ui/")) continue; // static assets of the page, not API
                String path = route.getPath().replaceAll(":([a-z]+)", "{$1}");
                for (HttpMethod m : route.methods()) routed.add(m.name() + " " + path);
            }
            assertThat(routed).as("routes of HttpApiVerticle").isNotEmpty();
            assertThat(documented).isEqualTo(routed);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
