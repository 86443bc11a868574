package io.poisk.eval.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of this JVM's JIT compiler threads, read from Linux's {@code /proc/self/task/<tid>/stat} (user + system
 * ticks of the threads named "C1 CompilerThre…" / "C2 CompilerThre…", at the kernel's usual 100 ticks a second).
 * A build measured after a warm-up still pays for compiling paths the warm-up did not take often enough (1.5-3.5 s of
 * a 20k-vector Poisk build, session 20), which a server pays once per process, not per build; benches report their
 * build CPU with and without it. {@code -1} where {@code /proc} is not there.
 */
final class CompilerThreads {
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final long NANOS_PER_TICK = 10_000_000L;

    private CompilerThreads() {
    }

    static long cpuNanos() {
        if (!Files.isDirectory(TASKS)) return -1;
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended
                }
                int open = stat.indexOf('('), close = stat.lastIndexOf(')');
                if (open < 0 || close < open) continue;
                String name = stat.substring(open + 1, close);
                if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) continue;
                // After the name: state, then fields 4.. of proc(5); utime and stime are fields 14 and 15.
                String[] fields = stat.substring(close + 2).split(" ");
                ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * NANOS_PER_TICK;
    }
}
