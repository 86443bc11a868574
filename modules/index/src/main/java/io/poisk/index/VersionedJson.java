package io.poisk.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The small JSON files of a collection ({@code collection.json}, {@code options.json},
 * {@code manifest.json}, segment {@code checksums.json}): an object whose {@code "format"} member says
 * its version (absent: version 1, the unversioned layout). Errors name the file.
 */
final class VersionedJson {
    static final String FORMAT = "format";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private VersionedJson() {
    }

    /** A file's content and the version it said, once that version is known to be readable. */
    record Content(int format, ObjectNode body) {
        <T> T as(Class<T> type, Path file) throws IOException {
            try {
                return JSON.treeToValue(body, type);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw new IOException(file + " does not hold a valid " + type.getSimpleName() + ": " + message(e), e);
            }
        }
    }

    /** Reads {@code file}, checks its version against {@code format} and returns the body without the version member. */
    static Content read(Path file, FileFormat format) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException(file + " is missing", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON (damaged or truncated): " + e.getOriginalMessage(), e);
        }
        if (!(root instanceof ObjectNode body)) throw new IOException(file + " does not hold a JSON object (damaged or truncated)");
        JsonNode v = body.remove(FORMAT);
        if (v != null && !v.canConvertToInt()) throw new IOException(file + " has a non-numeric \"format\": " + v);
        return new Content(format.check(file, v == null ? 1 : v.intValue()), body);
    }

    /** Writes {@code value} as a JSON object with {@code "format"} first, atomically and durably. */
    static void write(Path file, FileFormat format, Object value) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put(FORMAT, format.current());
        out.setAll((ObjectNode) JSON.valueToTree(value));
        DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(out));
    }

    private static String message(Exception e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }
}
