package io.poisk.index;

import java.util.List;

/**
 * A validated filter on declared document fields. Values are already converted to the field's type:
 * keyword → String, long → Long, double → Double, date → Long (epoch milliseconds), boolean → Boolean.
 * Built by {@link FilterParser}; turned into a Lucene query by {@link FilterQueries}.
 */
public sealed interface Filter {

    record Term(String field, FieldType type, Object value) implements Filter {
    }

    record In(String field, FieldType type, List<Object> values) implements Filter {
        public In {
            values = List.copyOf(values);
        }
    }

    /** Bounds may be null (open); {@code includeLower}/{@code includeUpper} say whether they are inclusive. */
    record Range(String field, FieldType type, Object lower, boolean includeLower, Object upper, boolean includeUpper)
            implements Filter {
    }

    record Exists(String field) implements Filter {
    }

    record And(List<Filter> all) implements Filter {
        public And {
            all = List.copyOf(all);
        }
    }

    record Or(List<Filter> any) implements Filter {
        public Or {
            any = List.copyOf(any);
        }
    }

    record Not(Filter negated) implements Filter {
    }
}
