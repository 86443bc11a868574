package io.poisk.index;

import java.nio.file.Path;

/**
 * Damage found in a collection's write-ahead log at open: a corrupt or misplaced frame with readable
 * records behind it, or missing log files. Replay stops before it, so the collection holds a consistent
 * prefix of its writes; it then opens read-only and nothing is cut or deleted, so an operator can restore
 * the files and reopen.
 *
 * @param file     the file where the damage is (for a missing file: the first file after the gap, or the log folder)
 * @param offset   byte offset of the damage in {@code file}, -1 when a whole file is missing
 * @param firstLsn the first LSN that could not be read (replay applied everything before it)
 * @param lastLsn  the last LSN of the unreadable range, or -1 when it is not known
 * @param problem  what is wrong
 */
record WalDamage(Path file, long offset, long firstLsn, long lastLsn, String problem) {

    /** One line for logs, the collection's read-only reason and the API. */
    String describe() {
        String range = lastLsn < 0 ? "LSN " + firstLsn + " onwards" : lastLsn == firstLsn ? "LSN " + firstLsn : "LSN " + firstLsn + ".." + lastLsn;
        return "write-ahead log damaged: " + file + (offset >= 0 ? " at offset " + offset : "") + ": " + problem + "; " + range
                + " cannot be read and nothing from LSN " + firstLsn + " on was applied; the log was left as it is"
                + " (restore the file from a backup and reopen, or move the damaged files aside to accept the loss)";
    }
}
