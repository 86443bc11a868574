package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The snapshot commands' way to a running server: its HTTP API, so a backup never opens the data directory a
 * server holds. Archives stream to and from files; an error reply becomes a {@link PoiskException} with the
 * server's code and message.
 */
final class ServerClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    ServerClient(String server) {
        this.base = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    }

    JsonNode post(String path) throws IOException, InterruptedException {
        return json(http.send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
    }

    JsonNode postFile(String path, Path file) throws IOException, InterruptedException {
        return json(http.send(request(path).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** Streams {@code path} into {@code file}; an error reply leaves no file. */
    void download(String path, Path file) throws IOException, InterruptedException {
        HttpResponse<Path> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofFile(file));
        if (r.statusCode() != 200) {
            String body = java.nio.file.Files.readString(file);
            java.nio.file.Files.deleteIfExists(file);
            throw error(r.statusCode(), body);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofHours(1));
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        if (r.statusCode() / 100 != 2) throw error(r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static PoiskException error(int status, String body) {
        String code = null, message = body;
        try {
            JsonNode e = JSON.readTree(body).path("error");
            code = e.path("code").asText(null);
            message = e.path("message").asText(body);
        } catch (IOException ignored) {
            // not JSON: the body as it is
        }
        ErrorCode c = ErrorCode.INTERNAL;
        for (ErrorCode k : ErrorCode.values()) if (k.code().equals(code)) c = k;
        if (c == ErrorCode.INTERNAL && status < 500) c = ErrorCode.BAD_REQUEST;
        return new PoiskException(c, "the server answered " + status + ": " + message);
    }
}
