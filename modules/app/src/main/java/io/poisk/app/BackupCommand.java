package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code poisk backup [--out DIR]}: a snapshot of every collection (POST /snapshots), optionally downloaded, one archive each. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Snapshot every collection of a running server; --out also downloads each as <collection>-<id>.tar into a folder.")
final class BackupCommand implements Callable<Integer> {
    @Option(names = "--server", defaultValue = "http://localhost:8080", description = "server URL (default: ${DEFAULT-VALUE})")
    String server;

    @Option(names = "--out", description = "folder to download the archives into")
    Path out;

    @Override
    public Integer call() throws Exception {
        ServerClient client = new ServerClient(server);
        JsonNode all = client.post("/snapshots");
        if (out != null) {
            Files.createDirectories(out);
            for (JsonNode s : all.path("snapshots")) {
                String c = s.path("collection").asText(), id = s.path("id").asText();
                client.download("/collections/" + c + "/snapshots/" + id, out.resolve(c + "-" + id + ".tar"));
            }
        }
        System.out.println(all.toString());
        return 0;
    }
}
