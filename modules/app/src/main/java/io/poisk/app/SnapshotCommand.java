package io.poisk.app;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code poisk snapshot <collection> [--out FILE]}: a snapshot by the running server, optionally downloaded as a tar archive. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Take a snapshot of a collection on a running server (kept under its data directory); --out also downloads it.")
final class SnapshotCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "collection name")
    String collection;

    @Option(names = "--server", defaultValue = "http://localhost:8080", description = "server URL (default: ${DEFAULT-VALUE})")
    String server;

    @Option(names = "--out", description = "write the snapshot's tar archive to this file")
    Path out;

    @Override
    public Integer call() throws Exception {
        ServerClient client = new ServerClient(server);
        JsonNode snap = client.post("/collections/" + collection + "/snapshots");
        if (out != null) client.download("/collections/" + collection + "/snapshots/" + snap.path("id").asText(), out);
        System.out.println(snap.toString());
        return 0;
    }
}
