package io.poisk.index;

import io.poisk.core.Document;
import io.poisk.core.DocumentCodec;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.apache.lucene.index.IndexWriter;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What the index can store, checked before a record enters the write-ahead log: a record in the log must
 * apply, or every replay of it fails. Whatever the transport, a document the index cannot apply is an
 * INVALID_DOCUMENT (400) or PAYLOAD_TOO_LARGE (413) here, before it is logged. Replay runs the same
 * checks on each record, so one logged by an older build that lacked them is quarantined, not applied.
 */
final class DocumentAdmission {
    /** Longest document id in UTF-8 bytes: a Chronicle Map key, also inside the keys of long documents' pieces. */
    static final int MAX_ID_BYTES = 1024;
    /** Longest keyword field value in UTF-8 bytes: Lucene indexes it as one term. */
    static final int MAX_KEYWORD_BYTES = IndexWriter.MAX_TERM_LENGTH;

    private final String collection;
    private final int dimension;
    private final int maxDocumentBytes;
    private final Map<String, FieldType> fields;

    DocumentAdmission(String collection, int dimension, int maxDocumentBytes, Map<String, FieldType> fields) {
        this.collection = collection;
        this.dimension = dimension;
        this.maxDocumentBytes = maxDocumentBytes;
        this.fields = fields;
    }

    /** Checks a document and returns its stored bytes; throws a 4xx PoiskException when the index cannot store it. */
    byte[] admit(EmbeddedDocument d) {
        String id = d.document().id();
        checkId(id);
        checkPassages(id, d.passages(), d.document().text().length());
        checkFields(d.document());
        byte[] bytes;
        try {
            bytes = DocumentCodec.encode(d.document());
        } catch (RuntimeException e) {
            throw invalid("document '" + shortId(id) + "' cannot be stored as JSON: " + e.getMessage());
        }
        if (bytes.length > maxDocumentBytes) {
            throw new PoiskException(ErrorCode.PAYLOAD_TOO_LARGE, "document '" + shortId(id) + "' takes " + bytes.length
                    + " bytes stored; at most " + maxDocumentBytes + " are accepted");
        }
        return bytes;
    }

    /**
     * Why a logged record cannot be applied, or null when it may be. Only hard limits count here, not the
     * limits on new writes (id and document size), so a record an older build or configuration accepted is
     * not refused now; what the document map still refuses is caught when the record is applied. Never throws.
     */
    String problemOf(WalRecord r) {
        try {
            switch (r) {
                case WalRecord.Delete d -> checkIdShape(d.id());
                case WalRecord.Upsert u -> {
                    Document doc = DocumentCodec.decode(u.document());
                    if (!u.id().equals(doc.id())) return "record id '" + shortId(u.id()) + "' differs from its document's id";
                    checkIdShape(doc.id());
                    checkPassages(doc.id(), u.passages(), doc.text().length());
                    checkFields(doc);
                }
            }
            return null;
        } catch (RuntimeException e) {
            return e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    /** Passages a document may have: a 1 MB text in 512-token windows needs a few hundred. */
    static final int MAX_PASSAGES = 8192;

    /** Every passage vector has the collection's dimension and lies inside the text. */
    private void checkPassages(String id, java.util.List<PassageVector> passages, int textLength) {
        if (passages.size() > MAX_PASSAGES) {
            throw invalid("document '" + shortId(id) + "' has " + passages.size() + " passages; at most " + MAX_PASSAGES + " are accepted");
        }
        for (PassageVector p : passages) {
            checkVector(id, p.vector());
            if (p.end() != PassageVector.WHOLE_END && p.end() > textLength) {
                throw invalid("document '" + shortId(id) + "' has a passage [" + p.start() + ", " + p.end()
                        + ") beyond its text of " + textLength + " characters");
            }
        }
    }

    /** Ids of new writes: non-empty, no NUL (it separates the keys of long documents' pieces), valid Unicode, short. */
    static void checkId(String id) {
        checkIdShape(id);
        int bytes = 0;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalid("document id '" + shortId(id) + "' holds an unpaired UTF-16 surrogate; ids must be valid Unicode");
            } else {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }
        if (bytes > MAX_ID_BYTES) {
            throw invalid("document id '" + shortId(id) + "' takes " + bytes + " UTF-8 bytes; at most " + MAX_ID_BYTES + " are accepted");
        }
    }

    private static void checkIdShape(String id) {
        if (id == null || id.isEmpty()) throw invalid("document id must be a non-empty string");
        if (id.indexOf('\u0000') >= 0) throw invalid("document id must not contain NUL characters");
    }

    private void checkVector(String id, float[] v) {
        if (v.length != dimension) {
            throw invalid("vector of document '" + shortId(id) + "' has " + v.length + " dimensions; collection '" + collection
                    + "' takes " + dimension);
        }
        for (float f : v) if (!Float.isFinite(f)) throw invalid("vector of document '" + shortId(id) + "' is not finite");
    }

    /** Declared fields must hold values of their type (or lists of them), keywords short enough to be one Lucene term. */
    void checkFields(Document d) {
        for (var e : fields.entrySet()) {
            Object v = d.fields().get(e.getKey());
            if (v == null) continue;
            for (Object item : v instanceof List<?> l ? l : List.of(v)) {
                Object typed = FilterParser.convertOrNull(e.getValue(), item);
                if (typed == null) {
                    throw invalid("field '" + e.getKey() + "' of document '" + shortId(d.id()) + "' is declared "
                            + e.getValue().wireName() + " but holds " + abbreviate(String.valueOf(item)));
                }
                if (typed instanceof String s && s.length() > MAX_KEYWORD_BYTES / 3
                        && s.getBytes(StandardCharsets.UTF_8).length > MAX_KEYWORD_BYTES) {
                    throw invalid("keyword field '" + e.getKey() + "' of document '" + shortId(d.id()) + "' holds a value of "
                            + s.getBytes(StandardCharsets.UTF_8).length + " UTF-8 bytes; a keyword is indexed as one term of at most "
                            + MAX_KEYWORD_BYTES + " bytes (declare long text as an undeclared field, or shorten it)");
                }
            }
        }
    }

    private static PoiskException invalid(String message) {
        return new PoiskException(ErrorCode.INVALID_DOCUMENT, message);
    }

    /** An id as it may appear in messages and logs: a huge one is cut, with its length. */
    static String shortId(String id) {
        return id == null ? "null" : id.length() <= 120 ? id : id.substring(0, 100) + "…(" + id.length() + " chars)";
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 100) + "…(" + s.length() + " chars)";
    }
}
