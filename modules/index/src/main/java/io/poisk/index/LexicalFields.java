package io.poisk.index;

import io.poisk.core.Document;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.ru.RussianAnalyzer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.QueryBuilder;

import java.util.List;
import java.util.Map;

/**
 * How a collection's documents become Lucene documents and its query text a Lucene query: the
 * analyzers per language, the per-ordinal key, and the typed filter fields.
 *
 * <p>Text goes to {@code text_ru} (Russian analyzer, Snowball stemming) and/or {@code text_en}
 * (English analyzer): {@code ru} and {@code en} collections index one of them, {@code auto} ones
 * index both, and a query searches the field of its own script (more Cyrillic than Latin letters → ru).
 * Declared fields go to {@code f.<name>} (string terms, or points for numbers and dates) and
 * {@code _has} records which declared fields a document has, for {@code exists}.
 */
final class LexicalFields {
    static final String ORDINAL = "_ord";
    static final String TEXT_RU = "text_ru";
    static final String TEXT_EN = "text_en";
    static final String HAS = "_has";

    private final CollectionOptions options;
    private final Analyzer analyzer;
    private final QueryBuilder queries;

    LexicalFields(CollectionOptions options) {
        this.options = options;
        this.analyzer = new PerFieldAnalyzerWrapper(new StandardAnalyzer(),
                Map.of(TEXT_RU, new RussianAnalyzer(), TEXT_EN, new EnglishAnalyzer()));
        this.queries = new QueryBuilder(analyzer);
    }

    CollectionOptions options() {
        return options;
    }

    Analyzer analyzer() {
        return analyzer;
    }

    static String filterField(String name) {
        return "f." + name;
    }

    /** The Lucene document for {@code doc} at {@code ordinal}; declared field values that do not fit their type are skipped. */
    org.apache.lucene.document.Document toLucene(int ordinal, Document doc) {
        var out = new org.apache.lucene.document.Document();
        out.add(new NumericDocValuesField(ORDINAL, ordinal));
        if (doc == null) return out; // deleted before it could be written: its ordinal is tombstoned anyway
        switch (options.language()) {
            case RU -> out.add(new TextField(TEXT_RU, doc.text(), Field.Store.NO));
            case EN -> out.add(new TextField(TEXT_EN, doc.text(), Field.Store.NO));
            case AUTO -> {
                out.add(new TextField(TEXT_RU, doc.text(), Field.Store.NO));
                out.add(new TextField(TEXT_EN, doc.text(), Field.Store.NO));
            }
        }
        for (var e : options.fields().entrySet()) {
            Object raw = doc.fields().get(e.getKey());
            if (raw == null) continue;
            List<?> values = raw instanceof List<?> l ? l : List.of(raw);
            boolean any = false;
            String name = filterField(e.getKey());
            for (Object v : values) {
                Object typed = FilterParser.convertOrNull(e.getValue(), v);
                if (typed == null) continue;
                any = true;
                switch (e.getValue()) {
                    case KEYWORD -> out.add(new StringField(name, (String) typed, Field.Store.NO));
                    case BOOLEAN -> out.add(new StringField(name, typed.toString(), Field.Store.NO));
                    case LONG, DATE -> out.add(new LongPoint(name, (Long) typed));
                    case DOUBLE -> out.add(new DoublePoint(name, (Double) typed));
                }
            }
            if (any) out.add(new StringField(HAS, e.getKey(), Field.Store.NO));
        }
        return out;
    }

    /** The text field a query searches: the collection's language, or for auto the query's script. */
    String queryField(String text) {
        return switch (options.language()) {
            case RU -> TEXT_RU;
            case EN -> TEXT_EN;
            case AUTO -> isMostlyCyrillic(text) ? TEXT_RU : TEXT_EN;
        };
    }

    /** A BM25 disjunction of the analysed query terms, or null when the text has no searchable term. */
    Query textQuery(String text) {
        return queries.createBooleanQuery(queryField(text), text);
    }

    static boolean isMostlyCyrillic(String text) {
        int cyrillic = 0, latin = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (!Character.isLetter(cp)) continue;
            Character.UnicodeScript s = Character.UnicodeScript.of(cp);
            if (s == Character.UnicodeScript.CYRILLIC) cyrillic++;
            else if (s == Character.UnicodeScript.LATIN) latin++;
        }
        return cyrillic > latin;
    }
}
