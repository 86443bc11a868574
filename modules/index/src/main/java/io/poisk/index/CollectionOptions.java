package io.poisk.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.PoiskException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The index-side options of a collection, kept in {@code options.json} beside {@code collection.json}:
 * the text language (which analyzer the lexical index uses) and the declared, typed fields that
 * filters may name. A collection without the file has the defaults (auto language, no fields).
 * Core's {@code CollectionSchema} should absorb these later.
 */
public record CollectionOptions(Language language, Map<String, FieldType> fields) {
    static final String FILE = "options.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");

    /** Analyzer choice: Russian (Snowball stemming), English, or per text by its script. */
    public enum Language {
        RU, EN, AUTO;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Language parse(String s) {
            for (Language l : values()) if (l.wireName().equals(s)) return l;
            throw PoiskException.badRequest("unknown language '" + s + "': accepted are ru, en, auto");
        }
    }

    public CollectionOptions {
        language = language == null ? Language.AUTO : language;
        fields = fields == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(fields));
        for (String name : fields.keySet()) {
            if (!FIELD_NAME.matcher(name).matches()) {
                throw PoiskException.badRequest("field name '" + name + "' is not accepted: use letters, digits, '_', '.', '-'"
                        + " (starting with a letter or '_'), at most 64 characters");
            }
        }
    }

    public static CollectionOptions defaults() {
        return new CollectionOptions(Language.AUTO, Map.of());
    }

    /** Parses the wire form {@code {"language":"ru","fields":{"year":"long","tag":"keyword"}}}. */
    public static CollectionOptions fromMap(Map<String, Object> m) {
        if (m == null) return defaults();
        Object lang = m.get("language");
        if (lang != null && !(lang instanceof String)) throw PoiskException.badRequest("'language' must be a string: ru, en or auto");
        Object f = m.get("fields");
        Map<String, FieldType> fields = new LinkedHashMap<>();
        if (f != null) {
            if (!(f instanceof Map<?, ?> fm)) throw PoiskException.badRequest("'fields' must be an object of field name to type");
            for (var e : fm.entrySet()) {
                if (!(e.getValue() instanceof String type)) {
                    throw PoiskException.badRequest("type of field '" + e.getKey() + "' must be a string");
                }
                fields.put(String.valueOf(e.getKey()), FieldType.parse(type));
            }
        }
        return new CollectionOptions(lang == null ? Language.AUTO : Language.parse((String) lang), fields);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> f = new LinkedHashMap<>();
        fields.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> f.put(e.getKey(), e.getValue().wireName()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("language", language.wireName());
        m.put("fields", f);
        return m;
    }

    static CollectionOptions read(Path collectionDir) throws IOException {
        Path file = collectionDir.resolve(FILE);
        if (!Files.exists(file)) return defaults();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.readValue(Files.readAllBytes(file), Map.class);
        return fromMap(m);
    }

    void write(Path collectionDir) throws IOException {
        DurableFiles.writeAtomically(collectionDir.resolve(FILE), JSON.writeValueAsBytes(toMap()));
    }
}
