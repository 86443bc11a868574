package io.poisk.index;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the JSON form of a filter (maps, lists, strings, numbers, booleans, as Jackson reads them)
 * against a collection's declared fields. Accepted forms:
 * <pre>
 * {"and":[f, ...]}   {"or":[f, ...]}   {"not": f}
 * {"term":{"field": value}}   {"in":{"field":[v, ...]}}   {"exists":"field"}
 * {"range":{"field":{"gte":a, "gt":a, "lte":b, "lt":b}}}
 * {"field": value}  (shorthand for term; a list is "in"; several keys are "and")
 * </pre>
 * Every error is an {@code INVALID_QUERY} (400) that says what was wrong and what is accepted.
 */
public final class FilterParser {
    private static final Set<String> OPERATORS = Set.of("and", "or", "not", "term", "in", "range", "exists");
    private static final Set<String> RANGE_KEYS = Set.of("gte", "gt", "lte", "lt");

    private final Map<String, FieldType> fields;

    public FilterParser(Map<String, FieldType> fields) {
        this.fields = Map.copyOf(fields);
    }

    /** The filter, or null when {@code filter} is null or empty (everything passes). */
    public Filter parse(Map<String, Object> filter) {
        if (filter == null || filter.isEmpty()) return null;
        return parseObject(filter, "filter");
    }

    private Filter parseObject(Object node, String where) {
        if (!(node instanceof Map<?, ?> m)) throw invalid(where + " must be an object, got " + describe(node));
        if (m.isEmpty()) throw invalid(where + " must not be an empty object");
        List<Filter> parts = new ArrayList<>();
        for (var e : m.entrySet()) {
            String key = String.valueOf(e.getKey());
            parts.add(OPERATORS.contains(key) ? parseOperator(key, e.getValue(), where + "." + key)
                    : shorthand(key, e.getValue(), where + "." + key));
        }
        return parts.size() == 1 ? parts.getFirst() : new Filter.And(parts);
    }

    private Filter parseOperator(String op, Object arg, String where) {
        return switch (op) {
            case "and", "or" -> {
                if (!(arg instanceof List<?> list) || list.isEmpty()) throw invalid(where + " must be a non-empty list of filters");
                List<Filter> subs = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) subs.add(parseObject(list.get(i), where + "[" + i + "]"));
                yield op.equals("and") ? new Filter.And(subs) : new Filter.Or(subs);
            }
            case "not" -> new Filter.Not(parseObject(arg, where));
            case "exists" -> {
                if (!(arg instanceof String field)) throw invalid(where + " must be a field name (string), got " + describe(arg));
                typeOf(field, where);
                yield new Filter.Exists(field);
            }
            case "term", "in", "range" -> {
                Map<?, ?> m = singleField(arg, where);
                var e = m.entrySet().iterator().next();
                String field = String.valueOf(e.getKey());
                yield switch (op) {
                    case "term" -> term(field, e.getValue(), where);
                    case "in" -> in(field, e.getValue(), where);
                    default -> range(field, e.getValue(), where);
                };
            }
            default -> throw new IllegalStateException(op);
        };
    }

    private static Map<?, ?> singleField(Object arg, String where) {
        if (!(arg instanceof Map<?, ?> m) || m.size() != 1) {
            throw invalid(where + " must be an object with exactly one field name, e.g. {\"year\": ...}");
        }
        return m;
    }

    private Filter shorthand(String field, Object value, String where) {
        if (!fields.containsKey(field)) {
            throw invalid("unknown filter operator or undeclared field '" + field + "' at " + where + ": operators are "
                    + String.join(", ", OPERATORS.stream().sorted().toList()) + "; declared fields are " + declared());
        }
        return value instanceof List<?> ? in(field, value, where) : term(field, value, where);
    }

    private Filter term(String field, Object value, String where) {
        FieldType type = typeOf(field, where);
        return new Filter.Term(field, type, convert(field, type, value, where));
    }

    private Filter in(String field, Object value, String where) {
        FieldType type = typeOf(field, where);
        if (!(value instanceof List<?> list) || list.isEmpty()) throw invalid(where + " must give field '" + field + "' a non-empty list of values");
        List<Object> values = new ArrayList<>();
        for (Object v : list) values.add(convert(field, type, v, where));
        return new Filter.In(field, type, values);
    }

    private Filter range(String field, Object bounds, String where) {
        FieldType type = typeOf(field, where);
        if (!type.supportsRange()) {
            throw invalid("field '" + field + "' is " + type.wireName() + "; range filters take long, double or date fields");
        }
        if (!(bounds instanceof Map<?, ?> m) || m.isEmpty()) throw invalid(where + "." + field + " must be an object with gte, gt, lte or lt");
        Object lower = null, upper = null;
        boolean incLower = true, incUpper = true;
        for (var e : m.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (!RANGE_KEYS.contains(k)) throw invalid("unknown range bound '" + k + "' at " + where + "; accepted are gte, gt, lte, lt");
            Object v = convert(field, type, e.getValue(), where);
            switch (k) {
                case "gte", "gt" -> {
                    if (lower != null) throw invalid(where + " gives two lower bounds for '" + field + "'");
                    lower = v;
                    incLower = k.equals("gte");
                }
                default -> {
                    if (upper != null) throw invalid(where + " gives two upper bounds for '" + field + "'");
                    upper = v;
                    incUpper = k.equals("lte");
                }
            }
        }
        return new Filter.Range(field, type, lower, incLower, upper, incUpper);
    }

    private FieldType typeOf(String field, String where) {
        FieldType t = fields.get(field);
        if (t == null) throw invalid("field '" + field + "' (at " + where + ") is not declared in the collection; declared fields are " + declared());
        return t;
    }

    private String declared() {
        return fields.isEmpty() ? "none" : String.join(", ", fields.keySet().stream().sorted().toList());
    }

    /** Converts a JSON value to the field's type, or fails with a message naming the field and the type. */
    static Object convert(String field, FieldType type, Object v, String where) {
        Object out = convertOrNull(type, v);
        if (out == null) {
            throw invalid("value " + describe(v) + " at " + where + " does not fit field '" + field + "' of type " + type.wireName()
                    + expectation(type));
        }
        return out;
    }

    /** The value converted to the field's type, or null when it does not fit (also used when indexing documents). */
    static Object convertOrNull(FieldType type, Object v) {
        if (v == null) return null;
        return switch (type) {
            case KEYWORD -> v instanceof String s ? s : null;
            case BOOLEAN -> v instanceof Boolean b ? b : null;
            case LONG -> {
                if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) yield ((Number) v).longValue();
                if (v instanceof java.math.BigInteger bi && bi.bitLength() < 64) yield bi.longValue();
                if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 9e15) yield n.longValue();
                yield null;
            }
            case DOUBLE -> v instanceof Number n && Double.isFinite(n.doubleValue()) ? n.doubleValue() : null;
            case DATE -> {
                if (v instanceof Integer || v instanceof Long) yield ((Number) v).longValue();
                if (v instanceof String s) yield parseDate(s);
                yield null;
            }
        };
    }

    private static Long parseDate(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // not with an offset; try the other ISO forms
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String expectation(FieldType type) {
        return switch (type) {
            case KEYWORD -> " (a string)";
            case BOOLEAN -> " (true or false)";
            case LONG -> " (an integer)";
            case DOUBLE -> " (a number)";
            case DATE -> " (an ISO-8601 date like 2024-05-01 or date-time like 2024-05-01T12:00:00Z, or epoch milliseconds)";
        };
    }

    private static String describe(Object v) {
        if (v == null) return "null";
        if (v instanceof String s) return "\"" + s + "\"";
        if (v instanceof Map<?, ?>) return "an object";
        if (v instanceof List<?>) return "a list";
        return String.valueOf(v);
    }

    private static PoiskException invalid(String message) {
        return new PoiskException(ErrorCode.INVALID_QUERY, message);
    }
}
