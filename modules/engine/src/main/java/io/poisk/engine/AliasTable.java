package io.poisk.engine;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import io.poisk.index.AliasFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The aliases of a data directory (alias → collection), kept in {@code aliases.json}. A change is written
 * and fsynced before the in-memory table is swapped, so what a caller was told is on disk, and a reader
 * sees the old table or the new one whole. Callers serialise changes (the collection service's lock,
 * which also guards the rules between aliases and collections). A damaged file is reported, not
 * overwritten: lookups of names that are not collections then fail UNAVAILABLE naming it.
 */
final class AliasTable {
    private static final Logger LOG = LoggerFactory.getLogger(AliasTable.class);

    private final Path dataDir;
    private final String damage;
    private volatile SortedMap<String, String> aliases;

    private AliasTable(Path dataDir, SortedMap<String, String> aliases, String damage) {
        this.dataDir = dataDir;
        this.aliases = aliases;
        this.damage = damage;
    }

    static AliasTable open(Path dataDir) {
        try {
            SortedMap<String, String> read = AliasFile.read(dataDir);
            if (!read.isEmpty()) LOG.info("aliases: {}", read);
            return new AliasTable(dataDir, Collections.unmodifiableSortedMap(read), null);
        } catch (IOException e) {
            LOG.error("the aliases cannot be read; collections serve by their own names, aliases answer 503: {}", e.getMessage());
            return new AliasTable(dataDir, Collections.emptySortedMap(), e.getMessage());
        }
    }

    /** The collection {@code alias} points to; null when it is no alias. */
    String target(String alias) {
        checkReadable();
        return aliases.get(alias);
    }

    /** Every alias → collection, sorted by alias. */
    SortedMap<String, String> all() {
        checkReadable();
        return aliases;
    }

    /** The aliases pointing to {@code collection}, sorted. */
    List<String> pointingTo(String collection) {
        checkReadable();
        return aliases.entrySet().stream().filter(e -> e.getValue().equals(collection)).map(Map.Entry::getKey).toList();
    }

    /** Points {@code alias} to {@code collection}, durably; returns the previous target (null: a new alias). */
    String put(String alias, String collection) throws IOException {
        checkReadable();
        SortedMap<String, String> next = new TreeMap<>(aliases);
        String previous = next.put(alias, collection);
        if (collection.equals(previous)) return previous;
        replace(next);
        return previous;
    }

    /** Removes {@code alias}, durably; false when there was none. */
    boolean remove(String alias) throws IOException {
        checkReadable();
        if (!aliases.containsKey(alias)) return false;
        SortedMap<String, String> next = new TreeMap<>(aliases);
        next.remove(alias);
        replace(next);
        return true;
    }

    private void replace(SortedMap<String, String> next) throws IOException {
        AliasFile.write(dataDir, next);
        aliases = Collections.unmodifiableSortedMap(next);
    }

    private void checkReadable() {
        if (damage != null) {
            throw new PoiskException(ErrorCode.UNAVAILABLE, "aliases are unavailable: " + damage
                    + "; repair or remove the file and restart (collections serve by their own names meanwhile)");
        }
    }
}
