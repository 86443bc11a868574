package io.poisk.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the engine can take traffic ({@code GET /health/ready}). Collections are opened (or reported
 * unavailable) before the engine exists, so the open ones are always ready; the unavailable ones are named
 * but do not hold the rest back.
 *
 * @param defaultModel the model a collection gets when it names none
 * @param defaultModelLoaded whether its weights are loaded (the first search would not wait for them)
 * @param unavailableCollections collections that failed to open, reported and served as unavailable
 * @param dataDirProblem why the data directory cannot be written, or null when it can
 * @param inferenceProblem why the default model cannot be inferred now (remote inference: no live worker serves it), or null
 */
public record Readiness(String defaultModel, boolean defaultModelLoaded, List<String> unavailableCollections, String dataDirProblem,
                        String inferenceProblem) {
    public Readiness {
        unavailableCollections = List.copyOf(unavailableCollections);
    }

    public boolean ready() {
        return defaultModelLoaded && dataDirProblem == null && inferenceProblem == null;
    }

    /** What holds readiness back, in words; empty when ready. */
    public List<String> reasons() {
        List<String> out = new ArrayList<>();
        if (!defaultModelLoaded) out.add("default model '" + defaultModel + "' is not loaded yet");
        if (dataDirProblem != null) out.add(dataDirProblem);
        if (inferenceProblem != null) out.add(inferenceProblem);
        return out;
    }
}
