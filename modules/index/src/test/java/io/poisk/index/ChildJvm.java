package io.poisk.index;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts a test's child JVM (same classpath and project JVM flags) and kills it the hard way. */
final class ChildJvm {
    private ChildJvm() {
    }

    static Process start(Class<?> main, Path stderr, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String configured = System.getProperty("poisk.jvm.flags");
        List<String> flags = configured != null && !configured.isBlank()
                ? Arrays.asList(configured.trim().split("\\s+"))
                : ManagementFactory.getRuntimeMXBean().getInputArguments();
        flags.stream().filter(f -> !f.startsWith("-agentlib:jdwp") && !f.startsWith("-Xmx")).forEach(cmd::add);
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
    }

    /**
     * SIGKILL through {@code kill -9}, not {@link Process#destroyForcibly} (which also closes our end of its
     * pipes): what the child wrote before it died can still be read to the end.
     */
    static void kill9(Process p) throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(p.pid())).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("child " + p.pid() + " survived kill -9");
    }
}
