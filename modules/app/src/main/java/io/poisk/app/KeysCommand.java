package io.poisk.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.PoiskConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code poisk keys create|list|revoke}: manages API keys through the running server's {@code /keys} API with the
 * admin key of the configuration ({@code auth.admin_key}, usually {@code POISK_AUTH_ADMIN_KEY}). Going through the
 * server, not the key file, is what makes a revocation take effect at once and keeps one writer of the file.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create, list and revoke API keys of a running server.",
        subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** What every subcommand shares: where the server is and the admin key to call it with. */
    abstract static class ServerCall implements Callable<Integer> {
        private static final ObjectMapper JSON = new ObjectMapper();

        @Option(names = "--url", paramLabel = "URL", description = "the server (default http://127.0.0.1:<port of the configuration>)")
        String url;

        @Mixin
        ConfigOptions config = new ConfigOptions();

        @Spec
        CommandSpec spec;

        /** Sends the request; prints the JSON reply (stdout) or the error (stderr, exit status 1). */
        int call(String method, String path, Object body) throws IOException, InterruptedException {
            PoiskConfig cfg = config.load(Map.of());
            String base = url != null ? url.replaceAll("/+$", "") : "http://127.0.0.1:" + cfg.integer("port");
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (body != null) request.header("Content-Type", "application/json");
            String adminKey = cfg.string("auth.admin_key");
            if (!adminKey.isBlank()) request.header("Authorization", "Bearer " + adminKey);
            HttpResponse<String> reply;
            try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
                reply = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
                spec.commandLine().getErr().println("cannot reach Poisk at " + base + " (start it with `poisk serve`, or pass --url)");
                return 1;
            }
            if (reply.statusCode() >= 300) {
                spec.commandLine().getErr().println("HTTP " + reply.statusCode() + ": " + reply.body()
                        + (reply.statusCode() == 401 ? "\n(set the admin key: POISK_AUTH_ADMIN_KEY or auth.admin_key in --config)" : ""));
                return 1;
            }
            spec.commandLine().getOut().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(reply.body())));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key; its secret is printed once.")
    static final class Create extends ServerCall {
        @Option(names = "--scope", required = true, description = "search, write or admin")
        String scope;

        @Option(names = "--collection", split = ",", paramLabel = "NAME", description = "collections the key may use (default: all)")
        List<String> collections = List.of();

        @Option(names = "--origin", split = ",", paramLabel = "ORIGIN", description = "pages that may use it, e.g. https://app.example.com (default: any)")
        List<String> origins = List.of();

        @Option(names = "--rate-limit", paramLabel = "N", description = "requests per second (default: auth.rate_limit_per_second)")
        Double rateLimit;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("scope", scope);
            body.put("collections", collections);
            body.put("origins", origins);
            if (rateLimit != null) body.put("rate_limit", rateLimit);
            return call("POST", "/keys", body);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never their secrets).")
    static final class ListKeys extends ServerCall {
        @Override
        public Integer call() throws Exception {
            return call("GET", "/keys", null);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key by id; refused from the next request on.")
    static final class Revoke extends ServerCall {
        @Parameters(paramLabel = "ID", description = "the key's id (from create or list)")
        String id;

        @Override
        public Integer call() throws Exception {
            return call("DELETE", "/keys/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8), null);
        }
    }
}
