package io.poisk.core;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The stored byte form of a {@link Document}: compact JSON {@code {"id","text","fields"}} in UTF-8. */
public final class DocumentCodec {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private DocumentCodec() {
    }

    public static byte[] encode(Document d) {
        try {
            return JSON.writeValueAsBytes(Map.of("id", d.id(), "text", d.text(), "fields", d.fields()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Document decode(byte[] bytes) {
        try {
            Map<String, Object> m = JSON.readValue(bytes, MAP);
            return new Document((String) m.get("id"), (String) m.get("text"), (Map<String, Object>) m.get("fields"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
