package io.poisk.index;

import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

import java.util.List;

/** Translates a {@link Filter} into a Lucene query over the fields {@link LexicalFields} writes. */
final class FilterQueries {
    private FilterQueries() {
    }

    static Query toQuery(Filter f) {
        return switch (f) {
            case Filter.Term t -> term(t.field(), t.type(), t.value());
            case Filter.In in -> in(in);
            case Filter.Range r -> range(r);
            case Filter.Exists e -> new TermQuery(new Term(LexicalFields.HAS, e.field()));
            case Filter.And and -> {
                BooleanQuery.Builder b = new BooleanQuery.Builder();
                for (Filter sub : and.all()) b.add(toQuery(sub), BooleanClause.Occur.FILTER);
                yield b.build();
            }
            case Filter.Or or -> {
                BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(1);
                for (Filter sub : or.any()) b.add(toQuery(sub), BooleanClause.Occur.SHOULD);
                yield b.build();
            }
            case Filter.Not not -> new BooleanQuery.Builder()
                    .add(new MatchAllDocsQuery(), BooleanClause.Occur.FILTER)
                    .add(toQuery(not.negated()), BooleanClause.Occur.MUST_NOT)
                    .build();
        };
    }

    private static Query term(String field, FieldType type, Object value) {
        String name = LexicalFields.filterField(field);
        return switch (type) {
            case KEYWORD, BOOLEAN -> new TermQuery(new Term(name, value.toString()));
            case LONG, DATE -> LongPoint.newExactQuery(name, (Long) value);
            case DOUBLE -> DoublePoint.newExactQuery(name, (Double) value);
        };
    }

    private static Query in(Filter.In in) {
        String name = LexicalFields.filterField(in.field());
        List<Object> vs = in.values();
        return switch (in.type()) {
            case KEYWORD, BOOLEAN -> new TermInSetQuery(name, vs.stream().map(v -> new BytesRef(v.toString())).toList());
            case LONG, DATE -> LongPoint.newSetQuery(name, vs.stream().mapToLong(v -> (Long) v).toArray());
            case DOUBLE -> DoublePoint.newSetQuery(name, vs.stream().mapToDouble(v -> (Double) v).toArray());
        };
    }

    private static Query range(Filter.Range r) {
        String name = LexicalFields.filterField(r.field());
        if (r.type() == FieldType.DOUBLE) {
            double lo = r.lower() == null ? Double.NEGATIVE_INFINITY : (Double) r.lower();
            double hi = r.upper() == null ? Double.POSITIVE_INFINITY : (Double) r.upper();
            if (r.lower() != null && !r.includeLower()) lo = Math.nextUp(lo);
            if (r.upper() != null && !r.includeUpper()) hi = Math.nextDown(hi);
            return DoublePoint.newRangeQuery(name, lo, hi);
        }
        long lo = r.lower() == null ? Long.MIN_VALUE : (Long) r.lower();
        long hi = r.upper() == null ? Long.MAX_VALUE : (Long) r.upper();
        if (r.lower() != null && !r.includeLower()) {
            if (lo == Long.MAX_VALUE) return new BooleanQuery.Builder().build(); // matches nothing
            lo++;
        }
        if (r.upper() != null && !r.includeUpper()) {
            if (hi == Long.MIN_VALUE) return new BooleanQuery.Builder().build();
            hi--;
        }
        return LongPoint.newRangeQuery(name, lo, hi);
    }
}
