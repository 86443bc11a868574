package io.poisk.index;

/**
 * A write-ahead log record that replay could not apply and kept aside in the collection's quarantine file.
 *
 * @param lsn    its log sequence number
 * @param id     the document id it names (cut to 120 characters when longer)
 * @param reason why it could not be applied
 */
public record QuarantinedRecord(long lsn, String id, String reason) {
    public QuarantinedRecord {
        id = DocumentAdmission.shortId(id);
    }
}
