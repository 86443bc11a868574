package io.poisk.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code poisk} command line: {@code serve} runs the server, {@code worker} serves inference to a cluster, {@code eval} scores a dataset in-process,
 * {@code keys} manages the API keys of a running server, {@code export} writes a running server's collection as NDJSON,
 * {@code snapshot}, {@code restore} and {@code backup} drive a running server's snapshots.
 */
@Command(name = "poisk", mixinStandardHelpOptions = true, version = "poisk 0.1.0",
        description = "Poisk, a self-hosted semantic search engine.",
        subcommands = {ServeCommand.class, WorkerCommand.class, EvalCommand.class, KeysCommand.class, ExportCommand.class, SnapshotCommand.class,
                RestoreCommand.class, BackupCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int exit = commandLine().execute(args);
        // serve returns only after its shutdown; eval, export and errors end the JVM with their status.
        System.exit(exit);
    }

    /** The configured command line, also used by tests to run subcommands in-process. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorReporter());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
