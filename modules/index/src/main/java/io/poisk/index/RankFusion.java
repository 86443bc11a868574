package io.poisk.index;

import io.poisk.core.Hit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fuses a dense and a lexical ranked list into one (see {@link Fusion}); hits carry the fused score. */
public final class RankFusion {
    private RankFusion() {
    }

    public static List<Hit> fuse(List<Hit> dense, List<Hit> lexical, Fusion fusion, int k) {
        Map<String, Hit> byId = new LinkedHashMap<>();
        Map<String, Double> score = new LinkedHashMap<>();
        switch (fusion) {
            case Fusion.Rrf rrf -> {
                addRrf(dense, rrf.k(), byId, score);
                addRrf(lexical, rrf.k(), byId, score);
            }
            case Fusion.Weighted w -> {
                addWeighted(dense, w.dense(), byId, score);
                addWeighted(lexical, w.lexical(), byId, score);
            }
        }
        List<String> ids = new ArrayList<>(score.keySet());
        // Ties keep first-seen order (dense first), which the stable sort preserves.
        ids.sort(Comparator.comparingDouble((String id) -> score.get(id)).reversed());
        List<Hit> out = new ArrayList<>(Math.min(k, ids.size()));
        for (String id : ids.subList(0, Math.min(k, ids.size()))) {
            Hit h = byId.get(id);
            out.add(new Hit(h.id(), (float) (double) score.get(id), h.text(), h.fields(), h.passage()));
        }
        return out;
    }

    private static void addRrf(List<Hit> list, int k, Map<String, Hit> byId, Map<String, Double> score) {
        for (int i = 0; i < list.size(); i++) {
            Hit h = list.get(i);
            byId.putIfAbsent(h.id(), h);
            score.merge(h.id(), 1.0 / (k + i + 1), Double::sum);
        }
    }

    private static void addWeighted(List<Hit> list, double weight, Map<String, Hit> byId, Map<String, Double> score) {
        if (list.isEmpty()) return;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (Hit h : list) {
            min = Math.min(min, h.score());
            max = Math.max(max, h.score());
        }
        double range = max - min;
        for (Hit h : list) {
            byId.putIfAbsent(h.id(), h);
            double normalised = range > 0 ? (h.score() - min) / range : 1.0;
            score.merge(h.id(), weight * normalised, Double::sum);
        }
    }
}
