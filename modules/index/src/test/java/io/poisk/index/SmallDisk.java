package io.poisk.index;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A small tmpfs for tests that need a disk that really fills up (ENOSPC); mounting needs root. */
final class SmallDisk {
    private SmallDisk() {
    }

    /** Mounts a tmpfs of {@code size} (e.g. "4m") on {@code dir}; false when this machine does not allow it. */
    static boolean mount(Path dir, String size) {
        return run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    }

    static void unmount(Path dir) {
        if (!run("umount", dir.toString())) run("umount", "-l", dir.toString());
    }

    private static boolean run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
