package io.poisk.eval.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Total bytes of the regular files under a folder. */
final class DirectorySize {
    private DirectorySize() {
    }

    /** The {@code n} largest files as "relative/path=MiB", largest first: where the bytes of an index go. */
    static String largest(Path dir, int n) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .sorted(Comparator.comparingLong(DirectorySize::size).reversed()).limit(n)
                    .map(p -> dir.relativize(p) + "=" + String.format(java.util.Locale.ROOT, "%.1f", size(p) / 1048576.0))
                    .collect(Collectors.joining(", "));
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    static long of(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // a file removed while walking (a finished log) no longer counts
                }
            }).sum();
        }
    }
}
