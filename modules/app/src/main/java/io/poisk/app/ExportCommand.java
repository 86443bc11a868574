package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.CollectionName;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code poisk export <collection> [--out FILE] [--url URL]}: asks the running server for the collection's
 * NDJSON export ({@code GET /collections/{name}/export}) and copies the stream to a file or standard output,
 * one document per line, ready for an NDJSON ingest. A file is written beside its target and renamed once
 * the stream ended cleanly, so a cut export never looks complete.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a collection (or an alias's collection) of a running server as NDJSON.")
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "COLLECTION", description = "collection name or alias")
    String collection;

    @Option(names = "--out", paramLabel = "FILE", description = "write here instead of standard output")
    Path out;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "the server (default: ${DEFAULT-VALUE})")
    URI url;

    @Override
    public Integer call() throws IOException, InterruptedException {
        CollectionName.validate(collection);
        URI export = URI.create(url.toString().replaceAll("/+$", "") + "/collections/" + collection + "/export");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(export).header("Accept", "application/x-ndjson").GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new PoiskException(ErrorCode.UNAVAILABLE, "no Poisk server answers at " + url + "; start one with"
                    + " `poisk serve` or pass --url");
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) throw serverError(response.statusCode(), body.readAllBytes());
            if (out == null) {
                body.transferTo(System.out);
                System.out.flush();
            } else {
                write(body, out);
            }
        }
        return 0;
    }

    private static void write(InputStream body, Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = parent.resolve(target.getFileName() + ".partial");
        try (OutputStream file = Files.newOutputStream(partial)) {
            body.transferTo(file); // an IOException here is a stream the server cut: the export failed
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw new IOException("the export stream broke off before its end (" + e.getMessage() + "); nothing was written to "
                    + target, e);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The server's error body as our error, with its code. */
    private static PoiskException serverError(int status, byte[] body) {
        String message = "the server answered " + status;
        ErrorCode code = Arrays.stream(ErrorCode.values()).filter(c -> c.httpStatus() == status).findFirst().orElse(ErrorCode.INTERNAL);
        try {
            JsonNode error = new ObjectMapper().readTree(body).path("error");
            String wireCode = error.path("code").asText("");
            code = Arrays.stream(ErrorCode.values()).filter(c -> c.code().equals(wireCode)).findFirst().orElse(code);
            if (error.hasNonNull("message")) message = error.get("message").asText();
        } catch (IOException e) {
            // not our error shape: the status says enough
        }
        return new PoiskException(code, message);
    }
}
