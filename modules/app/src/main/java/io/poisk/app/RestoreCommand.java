package io.poisk.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code poisk restore <collection> <file>}: uploads a snapshot archive to a running server as a new collection. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restore a snapshot archive (from 'poisk snapshot --out' or GET …/snapshots/{id}) into a new collection on a running server.")
final class RestoreCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "name of the new collection")
    String collection;

    @Parameters(index = "1", description = "the archive (.tar)")
    Path file;

    @Option(names = "--server", defaultValue = "http://localhost:8080", description = "server URL (default: ${DEFAULT-VALUE})")
    String server;

    @Override
    public Integer call() throws Exception {
        System.out.println(new ServerClient(server).postFile("/collections/" + collection + "/restore", file).toString());
        return 0;
    }
}
