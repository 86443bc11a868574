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
 * The file says its {@link FileFormat#OPTIONS format} version. Format 3 added {@code passages}: a file of an older
 * format (or no file) is a collection whose segments hold one vector per document, so it reads as
 * {@link PassageOptions#OFF}; a new collection that does not say gets {@link PassageOptions#DEFAULT}.
 * Core's {@code CollectionSchema} should absorb these later.
 */
public record CollectionOptions(Language language, Map<String, FieldType> fields, DefaultRerank rerank, PassageOptions passages) {
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

    /** Options that do not say how long documents are embedded (a new collection takes the default). */
    public CollectionOptions(Language language, Map<String, FieldType> fields, DefaultRerank rerank) {
        this(language, fields, rerank, null);
    }

    /** The passage settings in force: the ones given, else the default of new collections. */
    public PassageOptions effectivePassages() {
        return passages == null ? PassageOptions.DEFAULT : passages;
    }

    /** These options with {@code passages} where they do not say (re-creating a collection with the options it has). */
    public CollectionOptions withPassagesIfUnsaid(PassageOptions p) {
        return passages != null ? this : new CollectionOptions(language, fields, rerank, p);
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
        return new CollectionOptions(Language.AUTO, Map.of(), null, null);
    }

    /**
     * Parses the wire form {@code {"language":"ru","fields":{"year":"long","tag":"keyword"},
     * "rerank":{"model":"<reranker id>","top_n":50},"passages":{"max_tokens":480,"overlap_tokens":64}}}; every part is optional.
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
                DefaultRerank.fromMap(m.get("rerank")), PassageOptions.fromMap(m.get("passages")));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> f = new LinkedHashMap<>();
        fields.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> f.put(e.getKey(), e.getValue().wireName()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("language", language.wireName());
        m.put("fields", f);
        m.put("rerank", rerank == null ? null : rerank.toMap());
        m.put("passages", effectivePassages().toMap());
        return m;
    }

    static CollectionOptions read(Path collectionDir) throws IOException {
        Path file = collectionDir.resolve(FILE);
        if (!Files.exists(file)) return defaults().withPassagesIfUnsaid(PassageOptions.OFF);
        VersionedJson.Content content = VersionedJson.read(file, FileFormat.OPTIONS);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = content.as(Map.class, file);
        try {
            CollectionOptions o = fromMap(m);
            // Before format 3 every collection embedded one vector per document.
            return content.format() < 3 ? o.withPassagesIfUnsaid(PassageOptions.OFF) : o.withPassagesIfUnsaid(PassageOptions.DEFAULT);
        } catch (PoiskException e) {
            throw new IOException(file + " holds options this build does not accept: " + e.getMessage(), e);
        }
    }

    void write(Path collectionDir) throws IOException {
        VersionedJson.write(collectionDir.resolve(FILE), FileFormat.OPTIONS, toMap());
    }
}
