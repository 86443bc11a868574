package io.poisk.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small JSON client for the HTTP API under test. */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A response: status and parsed JSON body (null when the body is not JSON). */
    record Reply(int status, JsonNode body, String raw) {
        String errorCode() {
            return body == null ? null : body.path("error").path("code").asText(null);
        }

        String errorMessage() {
            return body == null ? null : body.path("error").path("message").asText(null);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    /** Sent as {@code Authorization: Bearer <key>} on every request; null for none. */
    private final String key;

    ApiClient(int port) {
        this(port, null);
    }

    ApiClient(int port, String key) {
        this.base = "http://127.0.0.1:" + port;
        this.key = key;
    }

    Reply get(String path) {
        return send(request(path).GET().build());
    }

    Reply delete(String path) {
        return send(request(path).DELETE().build());
    }

    Reply put(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Reply post(String path, String json) {
        return post(path, "application/json", HttpRequest.BodyPublishers.ofString(json));
    }

    Reply post(String path, String contentType, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = request(path).POST(body);
        if (contentType != null) b.header("Content-Type", contentType);
        return send(b.build());
    }

    Reply send(String method, String path, String contentType, String body) {
        HttpRequest.Builder b = request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return send(b.build());
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120));
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }

    Reply send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), parse(r.body()), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String body) {
        try {
            return body == null || body.isEmpty() ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
