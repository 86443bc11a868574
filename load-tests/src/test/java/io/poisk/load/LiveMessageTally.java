package io.poisk.load;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts every message the live-search sockets receive, by {@code phase} (candidates, final, cancelled,
 * error) and, for errors, by error code. Fed from Gatling's inbound-frame hook, so it also sees the
 * answers to superseded keystrokes that no check waits for. The server writes {@code id} and
 * {@code phase} first and error codes as {@code "code":"…"}, so a pattern reads them without parsing
 * the hits.
 */
public final class LiveMessageTally {
    private static final Pattern PHASE = Pattern.compile("\"phase\"\\s*:\\s*\"([a-z_]+)\"");
    private static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([a-z_]+)\"");
    private static final Set<String> PROTOCOL_PHASES = Set.of("candidates", "final", "cancelled", "error");

    private final Map<String, LongAdder> byPhase = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errorsByCode = new ConcurrentHashMap<>();

    public void record(String message) {
        Matcher phase = PHASE.matcher(message);
        String name = phase.find() ? phase.group(1) : "unrecognised";
        byPhase.computeIfAbsent(name, k -> new LongAdder()).increment();
        if (name.equals("error")) {
            Matcher code = ERROR_CODE.matcher(message);
            errorsByCode.computeIfAbsent(code.find() ? code.group(1) : "unknown", k -> new LongAdder()).increment();
        }
    }

    public long count(String phase) {
        LongAdder n = byPhase.get(phase);
        return n == null ? 0 : n.sum();
    }

    /** Phases other than the four the protocol defines, e.g. {@code unrecognised}: should stay empty. */
    public Map<String, Long> otherPhases() {
        Map<String, Long> out = new TreeMap<>();
        byPhase.forEach((phase, n) -> {
            if (!PROTOCOL_PHASES.contains(phase)) out.put(phase, n.sum());
        });
        return out;
    }

    public Map<String, Long> errorsByCode() {
        Map<String, Long> out = new TreeMap<>();
        errorsByCode.forEach((code, n) -> out.put(code, n.sum()));
        return out;
    }
}
