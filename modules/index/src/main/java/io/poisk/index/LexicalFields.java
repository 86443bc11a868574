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
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.QueryBuilder;

import java.util.List;
import java.util.Locale;
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

    /** Shortest unfinished word that is also matched as a prefix: one letter would expand to a large part of the term dictionary. */
    static final int MIN_PREFIX_CHARS = 2;

    /** A BM25 disjunction of the analysed query terms, or null when the text has no searchable term. */
    Query textQuery(String text) {
        return textQuery(text, false);
    }

    /**
     * The BM25 disjunction, and with {@code prefixLastTerm} (live search, as the user types) the unfinished last
     * word as a prefix of the indexed terms too: "моск" finds "Москва" (indexed as the stem "москв"). The prefix
     * is the raw word lower-cased, not its stem, since a stemmer would cut a partial word unpredictably; it scores
     * as one constant-score clause, so a common prefix cannot outweigh the finished words.
     */
    Query textQuery(String text, boolean prefixLastTerm) {
        String field = queryField(text);
        Query terms = queries.createBooleanQuery(field, text);
        String prefix = prefixLastTerm ? unfinishedWord(text) : null;
        if (prefix == null) return terms;
        Query byPrefix = new PrefixQuery(new Term(field, prefix));
        if (terms == null) return byPrefix;
        return new BooleanQuery.Builder().add(terms, BooleanClause.Occur.SHOULD).add(byPrefix, BooleanClause.Occur.SHOULD).build();
    }

    /** The text's last word lower-cased when the text ends inside a word of at least {@link #MIN_PREFIX_CHARS}; else null. */
    static String unfinishedWord(String text) {
        int end = text.length();
        if (end == 0 || !Character.isLetterOrDigit(text.codePointBefore(end))) return null;
        int start = end;
        while (start > 0 && Character.isLetterOrDigit(text.codePointBefore(start))) start -= Character.charCount(text.codePointBefore(start));
        String word = text.substring(start, end).toLowerCase(Locale.ROOT);
        return word.codePointCount(0, word.length()) >= MIN_PREFIX_CHARS ? word : null;
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
