package io.poisk.engine;

import io.poisk.core.CollectionName;
import io.poisk.core.DocumentId;
import io.poisk.core.PoiskException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The position of an export: the collection it reads (so an export through an alias stays on one
 * collection while the alias is re-pointed) and the last id returned. On the wire it is opaque:
 * base64url of {@code "1\n<collection>\n<last id>"}, the leading 1 being the cursor's format version.
 * Ids carry no control characters, so the newlines cannot be ambiguous.
 */
record ExportCursor(String collection, String lastId) {
    private static final String VERSION = "1";
    private static final String HOW = "; pass the next_cursor of the previous page unchanged, or no cursor to start from the first document";

    String encode() {
        String plain = VERSION + "\n" + collection + "\n" + lastId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    static ExportCursor decode(String cursor) {
        String plain;
        try {
            plain = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw PoiskException.badRequest("invalid cursor '" + cursor + "': not a cursor this server made" + HOW);
        }
        String[] parts = plain.split("\n", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            throw PoiskException.badRequest("invalid cursor '" + cursor + "': not a cursor this server made" + HOW);
        }
        try {
            CollectionName.validate(parts[1]);
            DocumentId.validate(parts[2], "cursor");
        } catch (PoiskException e) {
            throw PoiskException.badRequest("invalid cursor '" + cursor + "': " + e.getMessage() + HOW);
        }
        return new ExportCursor(parts[1], parts[2]);
    }
}
