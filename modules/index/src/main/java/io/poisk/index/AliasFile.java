package io.poisk.index;

import io.poisk.core.CollectionName;
import io.poisk.core.PoiskException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code <data_dir>/aliases.json}: alias name → collection name, {@code {"format": 1, "aliases": {…}}}.
 * Written atomically and fsynced (tmp file, rename, directory fsync), so a crash leaves the old or the new
 * table, never half of one. The engine's alias table owns the rules; this class only reads and writes.
 */
public final class AliasFile {
    public static final String NAME = "aliases.json";

    /** The file's body after its format member. */
    private record Body(Map<String, String> aliases) {
    }

    private AliasFile() {
    }

    /** The aliases, sorted by name; empty when the file does not exist. An IOException names a damaged or newer file. */
    public static SortedMap<String, String> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(NAME);
        if (!Files.exists(file)) return Collections.emptySortedMap();
        Body body = VersionedJson.read(file, FileFormat.ALIASES).as(Body.class, file);
        SortedMap<String, String> out = new TreeMap<>();
        if (body.aliases() == null) return out;
        for (Map.Entry<String, String> e : body.aliases().entrySet()) {
            if (!validName(e.getKey()) || !validName(e.getValue())) {
                throw new IOException(file + " maps '" + e.getKey() + "' to '" + e.getValue()
                        + "', which is not a valid alias and collection name: the file is damaged");
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Replaces the file with {@code aliases}, durably, before returning. */
    public static void write(Path dataDir, Map<String, String> aliases) throws IOException {
        Files.createDirectories(dataDir);
        VersionedJson.write(dataDir.resolve(NAME), FileFormat.ALIASES, new Body(new TreeMap<>(aliases)));
    }

    private static boolean validName(String name) {
        try {
            CollectionName.validate(name);
            return true;
        } catch (PoiskException e) {
            return false;
        }
    }
}
