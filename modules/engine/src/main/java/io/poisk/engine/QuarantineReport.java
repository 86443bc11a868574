package io.poisk.engine;

import io.poisk.index.QuarantinedRecord;

import java.util.List;

/**
 * What an operator needs after a bad log: why the collection takes no writes ({@code readOnly}, null when
 * it does) and the log records its replay could not apply, kept in its quarantine file.
 */
public record QuarantineReport(String collection, String readOnly, List<QuarantinedRecord> quarantined) {
}
