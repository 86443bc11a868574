package io.poisk.index;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.util.Map;

/** How hybrid search fuses its dense and lexical lists. */
public sealed interface Fusion {
    int DEFAULT_RRF_K = 60;

    /** Reciprocal rank fusion: score = Σ 1 / (k + rank), rank from 1. */
    record Rrf(int k) implements Fusion {
        public Rrf {
            if (k < 1) throw new PoiskException(ErrorCode.INVALID_QUERY, "rrf 'k' must be a positive integer, got " + k);
        }
    }

    /** Weighted score fusion: each list's scores min-max normalised to [0, 1], then dense·wd + lexical·wl. */
    record Weighted(double dense, double lexical) implements Fusion {
        public Weighted {
            if (!(dense >= 0) || !(lexical >= 0) || !Double.isFinite(dense) || !Double.isFinite(lexical) || dense + lexical == 0) {
                throw new PoiskException(ErrorCode.INVALID_QUERY, "fusion weights must be finite, non-negative and not both 0; got dense "
                        + dense + ", lexical " + lexical);
            }
        }
    }

    static Fusion defaults() {
        return new Rrf(DEFAULT_RRF_K);
    }

    /**
     * Parses {@code {"method":"rrf","k":60}} or {@code {"method":"weighted","dense":0.6,"lexical":0.4}};
     * null or empty: RRF with k = 60.
     */
    static Fusion fromMap(Map<String, Object> m) {
        if (m == null || m.isEmpty()) return defaults();
        Object method = m.getOrDefault("method", "rrf");
        return switch (String.valueOf(method)) {
            case "rrf" -> {
                Object k = m.getOrDefault("k", DEFAULT_RRF_K);
                if (!(k instanceof Integer || k instanceof Long)) throw invalid("fusion 'k' must be a positive integer");
                yield new Rrf(((Number) k).intValue());
            }
            case "weighted" -> new Weighted(weight(m, "dense"), weight(m, "lexical"));
            default -> throw invalid("unknown fusion method '" + method + "': accepted are rrf, weighted");
        };
    }

    private static double weight(Map<String, Object> m, String key) {
        Object v = m.getOrDefault(key, 0.5);
        if (!(v instanceof Number n)) throw invalid("fusion weight '" + key + "' must be a number");
        return n.doubleValue();
    }

    private static PoiskException invalid(String message) {
        return new PoiskException(ErrorCode.INVALID_QUERY, message);
    }
}
