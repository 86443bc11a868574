package io.poisk.index;

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
 * the text language (which analyzer the lexical index uses), the declared, typed fields that
 * filters may name, and the default reranker of its searches (null: none). A collection without the
 * file, or a file written before a field existed, has the defaults (auto language, no fields, no reranker).
 * The file says its {@link FileFormat#OPTIONS format} version.
 * Core's {@code CollectionSchema} should absorb these later.
 */
public record CollectionOptions(Language language, Map<String, FieldType> fields, DefaultRerank rerank) {
    static final String FILE = "options.json";
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

    /**
     * The reranker a collection's searches use unless a request names its own or switches it off. Only
     * the shape is checked here; that the id names a reranker card is the server's check at create time.
     *
     * @param model a reranker card id
     * @param topN  first-stage hits to rerank, 1..{@link #MAX_TOP_N}; null takes the server's {@code rerank.default_top_n}
     */
    public record DefaultRerank(String model, Integer topN) {
        public static final int MAX_TOP_N = 1000;

        public DefaultRerank {
            if (model == null || model.isBlank()) {
                throw PoiskException.badRequest("'rerank.model' must be a reranker card id (a non-empty string)");
            }
            if (topN != null && (topN < 1 || topN > MAX_TOP_N)) {
                throw PoiskException.badRequest("'rerank.top_n' must be an integer between 1 and " + MAX_TOP_N + ", got " + topN);
            }
        }

        static DefaultRerank fromMap(Object value) {
            if (value == null) return null;
            if (!(value instanceof Map<?, ?> m)) {
                throw PoiskException.badRequest("'rerank' must be an object {\"model\":\"<reranker id>\",\"top_n\":n}");
            }
            for (Object key : m.keySet()) {
                if (!"model".equals(key) && !"top_n".equals(key)) {
                    throw PoiskException.badRequest("unknown property 'rerank." + key + "'; accepted: model, top_n");
                }
            }
            Object model = m.get("model");
            if (model != null && !(model instanceof String)) {
                throw PoiskException.badRequest("'rerank.model' must be a reranker card id (a non-empty string)");
            }
            Object topN = m.get("top_n");
            if (topN != null && !(topN instanceof Integer)) {
                throw PoiskException.badRequest("'rerank.top_n' must be an integer between 1 and " + MAX_TOP_N + ", got " + topN);
            }
            return new DefaultRerank((String) model, (Integer) topN);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", model);
            if (topN != null) m.put("top_n", topN);
            return m;
        }
    }

    /** Options without a default reranker. */
    public CollectionOptions(Language language, Map<String, FieldType> fields) {
        this(language, fields, null);
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
        return new CollectionOptions(Language.AUTO, Map.of(), null);
    }

    /**
     * Parses the wire form {@code {"language":"ru","fields":{"year":"long","tag":"keyword"},
     * "rerank":{"model":"<reranker id>","top_n":50}}}; every part is optional.
     */
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
        return new CollectionOptions(lang == null ? Language.AUTO : Language.parse((String) lang), fields,
                DefaultRerank.fromMap(m.get("rerank")));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> f = new LinkedHashMap<>();
        fields.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> f.put(e.getKey(), e.getValue().wireName()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("language", language.wireName());
        m.put("fields", f);
        m.put("rerank", rerank == null ? null : rerank.toMap());
        return m;
    }

    static CollectionOptions read(Path collectionDir) throws IOException {
        Path file = collectionDir.resolve(FILE);
        if (!Files.exists(file)) return defaults();
        @SuppressWarnings("unchecked")
        Map<String, Object> m = VersionedJson.read(file, FileFormat.OPTIONS).as(Map.class, file);
        try {
            return fromMap(m);
        } catch (PoiskException e) {
            throw new IOException(file + " holds options this build does not accept: " + e.getMessage(), e);
        }
    }

    void write(Path collectionDir) throws IOException {
        VersionedJson.write(collectionDir.resolve(FILE), FileFormat.OPTIONS, toMap());
    }
}
