package io.poisk.index;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.util.Map;

/** How hybrid search fuses its dense and lexical lists. */
public sealed interface Fusion {
    /** The k of reciprocal rank fusion when {@code {"method":"rrf"}} names none. */
    int DEFAULT_RRF_K = 60;

    /**
     * The one fusion default (a request that names none, and the weight a {@code weighted} fusion leaves
     * out): min-max normalised scores, dense 0.2, lexical 0.8. Measured on XQuAD-ru with the default model
     * (the app's HybridFusionBench; nDCG@10): dense 0.261, lexical 0.954, RRF k=60 0.642 (RRF lets the weak
     * list outvote the strong one), weighted 0.1-0.3 dense a flat optimum 0.951-0.953; 0.2 is its middle,
     * the least sensitive to where its edges move on other data. Russian only: the English XQuAD is not
     * available here.
     */
    Weighted DEFAULT = new Weighted(0.2, 0.8);

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
        return DEFAULT;
    }

    /**
     * Parses {@code {"method":"rrf","k":60}} or {@code {"method":"weighted","dense":0.6,"lexical":0.4}};
     * null or empty: {@link #DEFAULT}; a weight left out: the default's.
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
        Object v = m.getOrDefault(key, key.equals("dense") ? DEFAULT.dense() : DEFAULT.lexical());
        if (!(v instanceof Number n)) throw invalid("fusion weight '" + key + "' must be a number");
        return n.doubleValue();
    }

    private static PoiskException invalid(String message) {
        return new PoiskException(ErrorCode.INVALID_QUERY, message);
    }
}
