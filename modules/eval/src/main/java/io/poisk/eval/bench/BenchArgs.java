package io.poisk.eval.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} command-line options of a benchmark harness, with typed defaults. */
final class BenchArgs {
    private final Map<String, String> values = new HashMap<>();

    BenchArgs(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("expected --name value, got '" + a + "'");
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else {
                if (i + 1 >= args.length) throw new IllegalArgumentException("option --" + name + " needs a value");
                values.put(name, args[++i]);
            }
        }
    }

    String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    int integer(String name, int dflt) {
        String v = values.get(name);
        return v == null ? dflt : Integer.parseInt(v.replace("_", ""));
    }

    /** A comma-separated list of integers, e.g. {@code 10,20,40}. */
    List<Integer> integers(String name, String dflt) {
        List<Integer> out = new ArrayList<>();
        for (String s : string(name, dflt).split(",")) {
            if (!s.isBlank()) out.add(Integer.parseInt(s.trim()));
        }
        return out;
    }
}
