package io.poisk.index;

import io.poisk.core.PoiskConfig;

/**
 * Caps on what a data directory may hold, from the {@code limits.*} configuration keys.
 *
 * @param maxCollections collections (open or unavailable) a catalog holds at most; 0: no cap
 * @param maxDiskBytes   bytes of files under the collections folder above which creates and writes are
 *                       refused (INSUFFICIENT_STORAGE); 0: no cap
 */
public record StorageLimits(int maxCollections, long maxDiskBytes) {
    public StorageLimits {
        if (maxCollections < 0) throw new IllegalArgumentException("maxCollections must not be negative: " + maxCollections);
        if (maxDiskBytes < 0) throw new IllegalArgumentException("maxDiskBytes must not be negative: " + maxDiskBytes);
    }

    public static StorageLimits from(PoiskConfig cfg) {
        return new StorageLimits(cfg.integer("limits.max_collections"), cfg.longValue("limits.max_disk_bytes"));
    }

    /** The configured defaults. */
    public static StorageLimits defaults() {
        return from(PoiskConfig.defaults());
    }
}
